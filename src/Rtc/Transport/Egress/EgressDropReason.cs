namespace MobZ.Rtc.Transport.Egress;

/// <summary>Why a packet handed to the egress never reached the kernel. Every drop is counted under one of these; none
/// is waited for.</summary>
public enum EgressDropReason
{
    /// <summary>The UDP socket's send buffer was full (EAGAIN/ENOBUFS): the kernel would have made the sender wait.
    /// The whole rest of that batch is dropped, since the buffer is one per socket.</summary>
    SocketFull,

    /// <summary>An ICE-TCP connection's bounded send queue was full (its client reads too slowly).</summary>
    QueueFull,

    /// <summary>The peer had no way out: not connected yet, closed, failed, or its ICE-TCP connection gone.</summary>
    NoPath,

    /// <summary>Larger than an egress slot (<see cref="UdpEgressBatch.SlotSize"/>); SRTP output never is.</summary>
    Oversized,

    /// <summary>The kernel refused this one datagram (unreachable network, bad address, message too long…); the
    /// rest of the batch still goes.</summary>
    SendError,

    /// <summary>The socket was closed under the send (the transport is shutting down).</summary>
    SocketClosed,
}
