namespace MobZ.Rtc.Ice;

/// <summary>States of an ICE-lite agent, named as in the W3C RTCIceConnectionState where they mean the same.</summary>
public enum IceConnectionState
{
    /// <summary>No valid check yet.</summary>
    New,

    /// <summary>A valid check arrived; media may flow to the selected address, nothing nominated yet.</summary>
    Connected,

    /// <summary>The controlling peer nominated a pair with USE-CANDIDATE.</summary>
    Completed,

    /// <summary>No valid check for <see cref="IceLiteOptions.DisconnectedTimeout"/>; recovers on the next
    /// one.</summary>
    Disconnected,

    /// <summary>Consent expired (RFC 7675) or the peer never connected; terminal.</summary>
    Failed,

    /// <summary>Closed by its owner; terminal.</summary>
    Closed,
}
