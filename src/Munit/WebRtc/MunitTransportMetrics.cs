using System.Diagnostics.Metrics;
using MobZ.Rtc.Transport;

namespace MobZ.Munit.WebRtc;

/// <summary>
/// The shared UDP port's counters as instruments operators can watch (Meter "MobZ.Munit"): every dropped
/// datagram under one named reason, so a flood of forged DTLS alerts or spoofed sources shows up as a number,
/// not as silence. Read from <see cref="RtcTransportCounters"/> when a listener collects; nothing on the packet path.
/// </summary>
internal sealed class MunitTransportMetrics : IDisposable
{
    public const string MeterName = "MobZ.Munit";

    private readonly Meter _meter = new(MeterName);

    public MunitTransportMetrics(RtcTransportCounters counters, Func<int> peerCount)
    {
        _meter.CreateObservableCounter(
            "mobz.munit.datagrams_received",
            () => counters.DatagramsReceived,
            "{datagram}",
            "UDP datagrams received on the media port"
        );
        _meter.CreateObservableCounter(
            "mobz.munit.datagrams_dropped",
            () =>
                new[]
                {
                    Reason(counters.StunDropped, "stun_dropped"),
                    Reason(counters.UnknownKind, "unknown_kind"),
                    Reason(counters.UnknownSource, "unknown_source"),
                    Reason(counters.NotConnected, "not_connected"),
                    Reason(counters.SrtpRejected, "srtp_rejected"),
                    Reason(counters.DtlsUnauthenticated, "dtls_unauthenticated"),
                    Reason(counters.HandlerErrors, "handler_error"),
                },
            "{datagram}",
            "Datagrams dropped on the media port, by reason"
        );
        _meter.CreateObservableCounter(
            "mobz.munit.send_errors",
            () => counters.SendErrors,
            "{datagram}",
            "UDP sends that failed"
        );
        _meter.CreateObservableUpDownCounter("mobz.munit.peers", peerCount, "{peer}", "WebRTC peers on the media port");
    }

    private static Measurement<long> Reason(long value, string reason) =>
        new(value, new KeyValuePair<string, object?>("reason", reason));

    public void Dispose() => _meter.Dispose();
}
