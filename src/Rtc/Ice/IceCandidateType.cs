namespace MobZ.Rtc.Ice;

/// <summary>Candidate types (RFC 8445 §5.1.1) with their recommended type preferences (§5.1.2.2).</summary>
public enum IceCandidateType
{
    Host,
    ServerReflexive,
    PeerReflexive,
    Relayed,
}

public static class IceCandidateTypes
{
    public static string ToSdp(IceCandidateType type) =>
        type switch
        {
            IceCandidateType.Host => "host",
            IceCandidateType.ServerReflexive => "srflx",
            IceCandidateType.PeerReflexive => "prflx",
            _ => "relay",
        };

    public static bool TryParse(string text, out IceCandidateType type)
    {
        switch (text)
        {
            case "host":
                type = IceCandidateType.Host;
                return true;
            case "srflx":
                type = IceCandidateType.ServerReflexive;
                return true;
            case "prflx":
                type = IceCandidateType.PeerReflexive;
                return true;
            case "relay":
                type = IceCandidateType.Relayed;
                return true;
            default:
                type = default;
                return false;
        }
    }

    public static int TypePreference(IceCandidateType type) =>
        type switch
        {
            IceCandidateType.Host => 126,
            IceCandidateType.PeerReflexive => 110,
            IceCandidateType.ServerReflexive => 100,
            _ => 0,
        };

    /// <summary>priority = 2^24 × type preference + 2^8 × local preference + (256 − component id) (RFC 8445
    /// §5.1.2.1).</summary>
    public static uint Priority(IceCandidateType type, int localPreference, int componentId) =>
        ((uint)TypePreference(type) << 24) | ((uint)(localPreference & 0xFFFF) << 8) | (uint)(256 - componentId);
}
