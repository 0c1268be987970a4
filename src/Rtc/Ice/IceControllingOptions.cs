namespace MobZ.Rtc.Ice;

public sealed class IceControllingOptions
{
    /// <summary>First retransmission timeout of a connectivity check; doubles per retransmission (RFC 8489
    /// §6.2.1).</summary>
    public TimeSpan InitialRto { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The retransmission timeout stops doubling here.</summary>
    public TimeSpan MaxRto { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Without a valid response this long after <see cref="IceControllingAgent.Start"/> the agent
    /// fails.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a connected agent asks for consent (RFC 7675 §5.1: every 4–6 s).</summary>
    public TimeSpan ConsentInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Without a response this long the agent counts as disconnected; it recovers on the next one.</summary>
    public TimeSpan DisconnectedTimeout { get; set; } = TimeSpan.FromSeconds(12);

    /// <summary>Consent lifetime (RFC 7675 §5.1: 30 s): without a response this long the agent fails.</summary>
    public TimeSpan ConsentTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
