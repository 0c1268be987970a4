namespace MobZ.Munit.Control;

/// <summary>
/// A station's publisher peer ended by itself — an authenticated DTLS close_notify or fatal alert, ICE consent
/// expiry, a handshake that never finished — not because signaling closed it. Its media stopped; the publisher must
/// offer again, and the room should know it is not live.
/// </summary>
public sealed record PeerLost(string StationId, string PeerId, string Reason);

/// <summary>Station media that reports its publishers' peers ending by themselves (<see cref="PeerLost"/>).</summary>
public interface IPeerLossSource
{
    /// <summary>Raised on the media thread that saw the peer end; handlers must not block.</summary>
    event Action<PeerLost>? PeerLost;
}
