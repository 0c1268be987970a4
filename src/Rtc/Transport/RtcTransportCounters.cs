using MobZ.Rtc.Transport.Egress;

namespace MobZ.Rtc.Transport;

/// <summary>Per-transport counters; every dropped datagram lands in one named bucket.</summary>
public sealed class RtcTransportCounters
{
    internal long DatagramsReceivedValue;
    internal long StunAnsweredValue;
    internal long StunDroppedValue;
    internal long UnknownKindValue;
    internal long UnknownSourceValue;
    internal long TruncatedValue;
    internal long NotConnectedValue;
    internal long SrtpRejectedValue;
    internal long HandlerErrorsValue;
    internal long DtlsUnauthenticatedValue;
    internal long DtlsHandshakesCompletedValue;
    internal long DtlsHandshakesFailedValue;
    internal long TcpAcceptedValue;
    internal long TcpClosedValue;
    internal long TcpOpenValue;
    internal long TcpFramesReceivedValue;
    internal readonly long[] TcpDroppedValues = new long[Enum.GetValues<IceTcpDropReason>().Length];

    public long DatagramsReceived => Interlocked.Read(ref DatagramsReceivedValue);

    /// <summary>Binding requests answered (success or error response).</summary>
    public long StunAnswered => Interlocked.Read(ref StunAnsweredValue);

    /// <summary>STUN not answered: unknown ufrag, not a binding request, bad fingerprint.</summary>
    public long StunDropped => Interlocked.Read(ref StunDroppedValue);

    /// <summary>First byte outside the RFC 7983 ranges we serve, or too short to be anything.</summary>
    public long UnknownKind => Interlocked.Read(ref UnknownKindValue);

    /// <summary>Datagrams larger than a receive slot (16 KiB), cut short by the kernel.</summary>
    public long Truncated => Interlocked.Read(ref TruncatedValue);

    /// <summary>DTLS/SRTP from an address that never passed an ICE check.</summary>
    public long UnknownSource => Interlocked.Read(ref UnknownSourceValue);

    /// <summary>SRTP/SRTCP before the DTLS handshake produced keys.</summary>
    public long NotConnected => Interlocked.Read(ref NotConnectedValue);

    /// <summary>SRTP/SRTCP that failed authentication, replay or parsing.</summary>
    public long SrtpRejected => Interlocked.Read(ref SrtpRejectedValue);

    /// <summary>Exceptions thrown by a handler or while processing one datagram; the loop carries on.</summary>
    public long HandlerErrors => Interlocked.Read(ref HandlerErrorsValue);

    /// <summary>Everything sent (UDP datagrams and ICE-TCP frames) and every packet dropped on the way out, by
    /// reason.</summary>
    public EgressCounters Egress { get; } = new();

    /// <summary>
    /// DTLS records after the handshake that did not authenticate under the epoch's keys (a forged
    /// alert, garbage with a DTLS first byte, a replay); dropped, the peer carries on (RFC 6347 §4.1.2.7).
    /// </summary>
    public long DtlsUnauthenticated => Interlocked.Read(ref DtlsUnauthenticatedValue);

    /// <summary>DTLS handshakes that produced SRTP keys.</summary>
    public long DtlsHandshakesCompleted => Interlocked.Read(ref DtlsHandshakesCompletedValue);

    /// <summary>DTLS handshakes that ended before keys: timeout (a half-open peer), wrong fingerprint, alert, malformed
    /// flight.</summary>
    public long DtlsHandshakesFailed => Interlocked.Read(ref DtlsHandshakesFailedValue);

    /// <summary>ICE-TCP connections accepted on the TCP port (including those closed at once for the connection
    /// limit).</summary>
    public long TcpAccepted => Interlocked.Read(ref TcpAcceptedValue);

    /// <summary>ICE-TCP connections closed for any reason: by the client, by the peer's end, or dropped.</summary>
    public long TcpClosed => Interlocked.Read(ref TcpClosedValue);

    /// <summary>ICE-TCP connections open now.</summary>
    public long TcpOpen => Interlocked.Read(ref TcpOpenValue);

    /// <summary>RFC 4571 frames received over ICE-TCP (UDP datagrams are <see cref="DatagramsReceived"/>).</summary>
    public long TcpFramesReceived => Interlocked.Read(ref TcpFramesReceivedValue);

    /// <summary>Packets not sent to an ICE-TCP client because its bounded send queue was full.</summary>
    public long TcpSendDropped => Egress.Dropped(EgressDropReason.QueueFull);

    /// <summary>ICE-TCP connections we closed because of what the client did (or did not do), by reason.</summary>
    public long TcpDropped(IceTcpDropReason reason) => Interlocked.Read(ref TcpDroppedValues[(int)reason]);

    internal void CountTcpDrop(IceTcpDropReason reason) => Interlocked.Increment(ref TcpDroppedValues[(int)reason]);
}

/// <summary>Why the transport closed an ICE-TCP connection.</summary>
public enum IceTcpDropReason
{
    /// <summary>A frame length of 0 or above the limit (RFC 4571 framing cannot resync).</summary>
    MalformedFrame,

    /// <summary>The first frame was not STUN (RFC 6544: a connection starts with a binding request).</summary>
    NotStunFirst,

    /// <summary>No binding request with our ICE credentials within the binding timeout.</summary>
    NoBinding,

    /// <summary>The client stopped reading: queued bytes made no progress within the stall timeout.</summary>
    SlowReader,

    /// <summary>Accepted above the connection limit.</summary>
    TooManyConnections,
}
