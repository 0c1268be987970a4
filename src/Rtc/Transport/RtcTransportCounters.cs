namespace MobZ.Rtc.Transport;

/// <summary>Per-transport counters; every dropped datagram lands in one named bucket.</summary>
public sealed class RtcTransportCounters
{
    internal long DatagramsReceivedValue;
    internal long StunAnsweredValue;
    internal long StunDroppedValue;
    internal long UnknownKindValue;
    internal long UnknownSourceValue;
    internal long NotConnectedValue;
    internal long SrtpRejectedValue;
    internal long HandlerErrorsValue;
    internal long SendErrorsValue;
    internal long DtlsUnauthenticatedValue;

    public long DatagramsReceived => Interlocked.Read(ref DatagramsReceivedValue);

    /// <summary>Binding requests answered (success or error response).</summary>
    public long StunAnswered => Interlocked.Read(ref StunAnsweredValue);

    /// <summary>STUN not answered: unknown ufrag, not a binding request, bad fingerprint.</summary>
    public long StunDropped => Interlocked.Read(ref StunDroppedValue);

    /// <summary>First byte outside the RFC 7983 ranges we serve, or too short to be anything.</summary>
    public long UnknownKind => Interlocked.Read(ref UnknownKindValue);

    /// <summary>DTLS/SRTP from an address that never passed an ICE check.</summary>
    public long UnknownSource => Interlocked.Read(ref UnknownSourceValue);

    /// <summary>SRTP/SRTCP before the DTLS handshake produced keys.</summary>
    public long NotConnected => Interlocked.Read(ref NotConnectedValue);

    /// <summary>SRTP/SRTCP that failed authentication, replay or parsing.</summary>
    public long SrtpRejected => Interlocked.Read(ref SrtpRejectedValue);

    /// <summary>Exceptions thrown by a handler or while processing one datagram; the loop carries on.</summary>
    public long HandlerErrors => Interlocked.Read(ref HandlerErrorsValue);

    public long SendErrors => Interlocked.Read(ref SendErrorsValue);

    /// <summary>
    /// DTLS records after the handshake that did not authenticate under the epoch's keys (a forged
    /// alert, garbage with a DTLS first byte, a replay); dropped, the peer carries on (RFC 6347 §4.1.2.7).
    /// </summary>
    public long DtlsUnauthenticated => Interlocked.Read(ref DtlsUnauthenticatedValue);
}
