namespace MobZ.Rtc.Ice;

public sealed class IceLiteOptions
{
    /// <summary>Without a valid binding request for this long the peer counts as disconnected (browsers check every ~5
    /// s).</summary>
    public TimeSpan DisconnectedTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Consent lifetime (RFC 7675 §5.1: 30 s); also how long a new agent waits for its first check.</summary>
    public TimeSpan ConsentTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Remote addresses remembered per agent; authenticated checks only, so this just bounds memory.</summary>
    public int MaxRemoteAddresses { get; set; } = 8;

    /// <summary>Optional SOFTWARE attribute in responses (RFC 8489 §14.14); empty to omit.</summary>
    public string Software { get; set; } = string.Empty;
}
