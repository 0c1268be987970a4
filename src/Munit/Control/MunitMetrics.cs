using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using MobZ.Munit.Routing;
using MobZ.Munit.Stats;
using MobZ.Munit.WebRtc;
using MobZ.Rtc.Transport;
using MobZ.Rtc.Transport.Egress;

namespace MobZ.Munit.Control;

/// <summary>
/// The Munit's numbers as <c>System.Diagnostics.Metrics</c> instruments (meter <see cref="MeterName"/>), read
/// when a collector asks: the engine's running totals, the shared UDP transport's counters (every dropped
/// datagram has a reason) and the current load. Nothing on the packet path calls into a meter; every series
/// carries the <c>munit</c> tag, so several Munits in one process stay apart, and the engine's and transport's series
/// the <c>worker</c> tag of the media worker that counted them (sum over it for the Munit). See docs/operations.md.
/// </summary>
public sealed class MunitMetrics : IDisposable
{
    public const string MeterName = "MobZ.Munit";

    /// <summary>How long one load snapshot serves the gauges (a scrape reads several of them in a row).</summary>
    private static readonly TimeSpan LoadTtl = TimeSpan.FromMilliseconds(500);

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Func<MunitLoad> _readLoad;
    private readonly KeyValuePair<string, object?> _tag;
    private readonly (WorkerSeries Series, KeyValuePair<string, object?> Tag)[] _workers;
    private readonly Lock _loadGate = new();
    private MunitLoad _load;
    private long _loadAt;

    /// <summary>What one media worker counts: its engine's totals, its transport's counters, its peers.</summary>
    public sealed record WorkerSeries(int Index, MediaTotals Totals, RtcTransportCounters Transport, Func<int> Peers);

    public MunitMetrics(MunitServer munit, WebRtcMedia media, IMeterFactory? meterFactory = null)
        : this(
            munit.Id,
            [
                .. media.Workers.Select(w => new WorkerSeries(
                    w.Index,
                    w.Engine.Forwarder.Totals,
                    w.Transport.Counters,
                    () => w.Transport.PeerCount
                )),
            ],
            munit.GetLoad,
            meterFactory
        ) { }

    /// <summary>One worker's numbers (worker 0).</summary>
    public MunitMetrics(
        string munitId,
        MediaTotals totals,
        RtcTransportCounters transport,
        Func<int> peerCount,
        Func<MunitLoad> load,
        IMeterFactory? meterFactory = null
    )
        : this(munitId, [new WorkerSeries(0, totals, transport, peerCount)], load, meterFactory) { }

    /// <param name="workers">every per-worker series is published once per worker, under its <c>worker</c> tag (sum
    /// them for the Munit).</param>
    /// <param name="load">sampled at most every half second, however many gauges a scrape reads.</param>
    public MunitMetrics(
        string munitId,
        IReadOnlyList<WorkerSeries> workers,
        Func<MunitLoad> load,
        IMeterFactory? meterFactory = null
    )
    {
        _readLoad = load;
        _tag = new("munit", munitId);
        _workers =
        [
            .. workers.Select(w =>
                (w, new KeyValuePair<string, object?>("worker", w.Index.ToString(CultureInfo.InvariantCulture)))
            ),
        ];
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);

        Counter("mobz.munit.rtp.forwarded", "{packet}", "RTP packets sent to viewers (after fan-out)", w =>
            w.Totals.ForwardedPackets
        );
        Counter("mobz.munit.rtp.forwarded.bytes", "By", "RTP bytes sent to viewers (after fan-out)", w =>
            w.Totals.ForwardedBytes
        );
        _meter.CreateObservableCounter(
            "mobz.munit.rtp.dropped",
            () =>
                _workers.SelectMany(w =>
                    Enum.GetValues<DropReason>()
                        .Select(r => new Measurement<long>(
                            w.Series.Totals.Drops(r),
                            _tag,
                            w.Tag,
                            new("reason", DropReasonName(r))
                        ))
                ),
            "{packet}",
            "Publisher RTP packets that went to no viewer, by reason"
        );
        Counter("mobz.munit.nacks.received", "{nack}", "NACK feedback packets received from viewers", w =>
            w.Totals.NacksReceived
        );
        Counter("mobz.munit.rtx.sent", "{packet}", "Packets sent again to viewers for their NACKs", w =>
            w.Totals.Retransmitted
        );
        Counter(
            "mobz.munit.nacks.sent",
            "{nack}",
            "NACK feedback packets sent to publishers for packets lost upstream",
            w => w.Totals.NacksSent
        );
        Counter("mobz.munit.keyframe_requests.received", "{request}", "PLI/FIR from viewers", w =>
            w.Totals.KeyFrameRequestsReceived
        );
        Counter("mobz.munit.plis.sent", "{request}", "PLIs sent to publishers (after the throttle)", w =>
            w.Totals.KeyFrameRequestsSent
        );
        Counter(
            "mobz.munit.transport_cc.feedback.sent",
            "{packet}",
            "Transport-cc feedback messages sent to publishers that negotiated transport-cc",
            w => w.Totals.TransportCcFeedbackSent
        );
        Counter("mobz.munit.remb.sent", "{packet}", "REMB messages sent to publishers", w => w.Totals.RembSent);
        _meter.CreateObservableGauge(
            "mobz.munit.remb.estimate",
            () => PerWorker(w => Volatile.Read(ref w.Totals.RembEstimate)),
            "bit/s",
            "The Munit's bandwidth estimates of publishers without transport-cc (the REMB last sent to each), summed"
        );
        _meter.CreateObservableGauge(
            "mobz.munit.viewer.estimate",
            () => PerWorker(w => Volatile.Read(ref w.Totals.ViewerEstimate)),
            "bit/s",
            "The Munit's send-side bandwidth estimates of viewers with transport-cc that have one, summed"
        );
        _meter.CreateObservableGauge(
            "mobz.munit.viewer.estimated",
            () => PerWorker(w => Volatile.Read(ref w.Totals.ViewersEstimated)),
            "{peer}",
            "Viewers whose layer the Munit's send-side estimate caps (transport-cc, congestion seen)"
        );
        Counter(
            "mobz.munit.viewer.transport_cc.feedback",
            "{packet}",
            "Transport-cc feedback messages from viewers taken for their estimate",
            w => w.Totals.ViewerTransportCcFeedback
        );
        Counter(
            "mobz.munit.viewer.transport_cc.feedback.malformed",
            "{packet}",
            "Transport-cc feedback messages from viewers dropped as malformed",
            w => w.Totals.ViewerTransportCcFeedbackMalformed
        );
        _meter.CreateObservableCounter(
            "mobz.munit.viewer.probes",
            () =>
                _workers.SelectMany(w =>
                    new Measurement<long>[]
                    {
                        new(Volatile.Read(ref w.Series.Totals.ProbeClusters), _tag, w.Tag, new("result", "started")),
                        new(Volatile.Read(ref w.Series.Totals.ProbesSucceeded), _tag, w.Tag, new("result", "carried")),
                        new(Volatile.Read(ref w.Series.Totals.ProbesFailed), _tag, w.Tag, new("result", "not_carried")),
                    }
                ),
            "{cluster}",
            "Probe clusters toward viewers whose layers want more than their estimate, by result"
        );
        Counter(
            "mobz.munit.viewer.probe.padding",
            "By",
            "Padding bytes sent to viewers for probing (padding-only RTP on their RTX streams)",
            w => w.Totals.ProbePaddingBytes
        );
        Counter(
            "mobz.munit.viewer.track_pauses",
            "{pause}",
            "Viewers' video tracks paused because not even their lowest layer fitted the viewer's estimate",
            w => w.Totals.TrackPauses
        );
        Counter("mobz.munit.layer_switches", "{switch}", "Simulcast layer switches of viewers", w =>
            w.Totals.LayerSwitches
        );

        Counter(
            "mobz.munit.transport.datagrams.received",
            "{datagram}",
            "UDP datagrams received on the media port",
            w => w.Transport.DatagramsReceived
        );
        Counter("mobz.munit.transport.stun.answered", "{request}", "STUN binding requests answered", w =>
            w.Transport.StunAnswered
        );
        _meter.CreateObservableCounter(
            "mobz.munit.transport.dropped",
            () => _workers.SelectMany(w => TransportDrops(w.Series.Transport, w.Tag)),
            "{datagram}",
            "Datagrams dropped by the media transport, by reason"
        );
        _meter.CreateObservableCounter(
            "mobz.munit.transport.dtls.handshakes",
            () =>
                _workers.SelectMany(w =>
                    new Measurement<long>[]
                    {
                        new(w.Series.Transport.DtlsHandshakesCompleted, _tag, w.Tag, new("result", "completed")),
                        new(w.Series.Transport.DtlsHandshakesFailed, _tag, w.Tag, new("result", "failed")),
                    }
                ),
            "{handshake}",
            "DTLS handshakes that ended, by result (failed: timeout of a half-open peer, wrong fingerprint, alert)"
        );
        Counter(
            "mobz.munit.transport.handler_errors",
            "{error}",
            "Exceptions while processing one datagram (the loop carries on)",
            w => w.Transport.HandlerErrors
        );
        Counter(
            "mobz.munit.transport.egress.sent",
            "{datagram}",
            "Datagrams (and ICE-TCP frames) the kernel took from the media port",
            w => w.Transport.Egress.Sent
        );
        Counter(
            "mobz.munit.transport.egress.syscalls",
            "{call}",
            "UDP send system calls (one sendmmsg carries a batch; sent / syscalls is the mean batch size)",
            w => w.Transport.Egress.Syscalls
        );
        _meter.CreateObservableCounter(
            "mobz.munit.transport.egress.dropped",
            () =>
                _workers.SelectMany(w =>
                    Enum.GetValues<EgressDropReason>()
                        .Select(r => new Measurement<long>(
                            w.Series.Transport.Egress.Dropped(r),
                            _tag,
                            w.Tag,
                            new("reason", EgressDropReasonName(r))
                        ))
                ),
            "{packet}",
            "Packets the media port dropped on the way out instead of waiting, by reason (socket_full: send buffer full)"
        );
        Counter(
            "mobz.munit.transport.tcp.accepted",
            "{connection}",
            "ICE-TCP connections accepted on the TCP media port",
            w => w.Transport.TcpAccepted
        );
        Counter("mobz.munit.transport.tcp.closed", "{connection}", "ICE-TCP connections closed, for any reason", w =>
            w.Transport.TcpClosed
        );
        _meter.CreateObservableCounter(
            "mobz.munit.transport.tcp.dropped",
            () =>
                _workers.SelectMany(w =>
                    Enum.GetValues<IceTcpDropReason>()
                        .Select(r => new Measurement<long>(
                            w.Series.Transport.TcpDropped(r),
                            _tag,
                            w.Tag,
                            new("reason", TcpDropReasonName(r))
                        ))
                ),
            "{connection}",
            "ICE-TCP connections the Munit closed because of the client, by reason"
        );
        Counter("mobz.munit.transport.tcp.frames.received", "{frame}", "RFC 4571 frames received over ICE-TCP", w =>
            w.Transport.TcpFramesReceived
        );
        Counter(
            "mobz.munit.transport.tcp.send_dropped",
            "{packet}",
            "Packets not sent to an ICE-TCP client whose send queue was full",
            w => w.Transport.TcpSendDropped
        );
        _meter.CreateObservableGauge(
            "mobz.munit.transport.tcp.connections",
            () => PerWorker(w => w.Transport.TcpOpen),
            "{connection}",
            "ICE-TCP connections open on the TCP media port"
        );

        Gauge("mobz.munit.stations", "{station}", "Stations on this Munit", l => l.Stations);
        Gauge("mobz.munit.publishers", "{peer}", "Publishers connected", l => l.Publishers);
        Gauge("mobz.munit.viewers", "{peer}", "Viewer subscriptions (one per viewer and station)", l => l.Subscribers);
        Gauge("mobz.munit.bandwidth.incoming", "bit/s", "Estimated bitrate received from publishers", l =>
            l.IncomingBitsPerSecond
        );
        Gauge("mobz.munit.bandwidth.outgoing", "bit/s", "Estimated bitrate sent to viewers", l =>
            l.OutgoingBitsPerSecond
        );
        _meter.CreateObservableGauge(
            "mobz.munit.transport.peers",
            () => PerWorker(w => w.Peers()),
            "{peer}",
            "Peer connections on the media port"
        );

        _meter.CreateObservableGauge(
            "mobz.munit.worker.cpu",
            () => (Load().Workers ?? []).Select(w => new Measurement<double>(w.CpuFraction, _tag, WorkerTag(w.Worker))),
            "1",
            "CPU of each media worker's loop thread since the previous sample, as a fraction of one core"
        );
        _meter.CreateObservableGauge(
            "mobz.munit.worker.stations",
            () => (Load().Workers ?? []).Select(w => new Measurement<long>(w.Stations, _tag, WorkerTag(w.Worker))),
            "{station}",
            "Stations placed on each media worker"
        );
        _meter.CreateObservableGauge(
            "mobz.munit.worker.rooms",
            () => (Load().Workers ?? []).Select(w => new Measurement<long>(w.Rooms, _tag, WorkerTag(w.Worker))),
            "{room}",
            "Rooms whose stations live on each media worker"
        );
    }

    private static KeyValuePair<string, object?> WorkerTag(int worker) =>
        new("worker", worker.ToString(CultureInfo.InvariantCulture));

    private IEnumerable<Measurement<long>> PerWorker(Func<WorkerSeries, long> read) =>
        _workers.Select(w => new Measurement<long>(read(w.Series), _tag, w.Tag));

    private void Counter(string name, string unit, string description, Func<WorkerSeries, long> read) =>
        _meter.CreateObservableCounter(name, () => PerWorker(read), unit, description);

    private void Gauge(string name, string unit, string description, Func<MunitLoad, long> read) =>
        _meter.CreateObservableGauge(name, () => new Measurement<long>(read(Load()), _tag), unit, description);

    private IEnumerable<Measurement<long>> TransportDrops(RtcTransportCounters c, KeyValuePair<string, object?> w) =>
        [
            new(c.StunDropped, _tag, w, new("reason", "stun_rejected")),
            new(c.UnknownKind, _tag, w, new("reason", "unknown_kind")),
            new(c.UnknownSource, _tag, w, new("reason", "unknown_source")),
            new(c.Truncated, _tag, w, new("reason", "truncated")),
            new(c.NotConnected, _tag, w, new("reason", "not_connected")),
            new(c.SrtpRejected, _tag, w, new("reason", "srtp_rejected")),
            new(c.DtlsUnauthenticated, _tag, w, new("reason", "dtls_unauthenticated")),
            new(c.HandlerErrors, _tag, w, new("reason", "handler_error")),
        ];

    internal static string EgressDropReasonName(EgressDropReason reason) =>
        reason switch
        {
            EgressDropReason.SocketFull => "socket_full",
            EgressDropReason.QueueFull => "queue_full",
            EgressDropReason.NoPath => "no_path",
            EgressDropReason.Oversized => "oversized",
            EgressDropReason.SendError => "send_error",
            EgressDropReason.SocketClosed => "socket_closed",
            _ => reason.ToString().ToLowerInvariant(),
        };

    internal static string TcpDropReasonName(IceTcpDropReason reason) =>
        reason switch
        {
            IceTcpDropReason.MalformedFrame => "malformed_frame",
            IceTcpDropReason.NotStunFirst => "not_stun_first",
            IceTcpDropReason.NoBinding => "no_binding",
            IceTcpDropReason.SlowReader => "slow_reader",
            IceTcpDropReason.TooManyConnections => "too_many_connections",
            _ => reason.ToString().ToLowerInvariant(),
        };

    private MunitLoad Load()
    {
        lock (_loadGate)
        {
            long now = Stopwatch.GetTimestamp();
            if (_loadAt == 0 || Stopwatch.GetElapsedTime(_loadAt, now) > LoadTtl)
            {
                _load = _readLoad();
                _loadAt = now;
            }
            return _load;
        }
    }

    internal static string DropReasonName(DropReason reason) =>
        reason switch
        {
            DropReason.Malformed => "malformed",
            DropReason.UnknownSsrc => "unknown_ssrc",
            DropReason.PaddingOnly => "padding_only",
            DropReason.RtxWithoutOriginal => "rtx_without_original",
            DropReason.Oversized => "oversized",
            _ => reason.ToString().ToLowerInvariant(),
        };

    public void Dispose()
    {
        // A factory's meters live as long as the factory (the container); one made here ends with this object.
        if (_ownsMeter)
            _meter.Dispose();
    }
}
