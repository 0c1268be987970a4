using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Munit.Buffers;
using MobZ.Munit.Stats;
using MobZ.Rtc.Rtcp;

namespace MobZ.Munit.Routing;

/// <summary>
/// The RTCP the Munit originates, run from the media tick: NACKs for packets lost upstream (as soon as a gap
/// is seen, then about once per <see cref="NackIntervalMs"/>); transport-cc feedback to publishers that negotiated
/// it, every <see cref="TransportCcIntervalMs"/>; and once per <see cref="ReportIntervalMs"/> receiver reports +
/// REMB to publishers and sender reports + SDES to viewers. REMB carries the Munit's own estimate of a publisher
/// without transport-cc (sooner than the report when it falls), and only <see cref="PublisherMaxBitrate"/> to one
/// with transport-cc, whose browser estimates for itself.
/// </summary>
public sealed class RtcpReporter(IPacketBufferPool pool, MediaTotals? totals = null, ILogger? logger = null)
{
    public const long ReportIntervalMs = 1000;
    public const long NackIntervalMs = 60;

    /// <summary>How often a transport-cc publisher hears about its packets (libwebrtc, pion and mediasoup send
    /// every 100 ms by default; the sender's estimator reacts within a couple of messages).</summary>
    public const long TransportCcIntervalMs = 100;

    /// <summary>A falling estimate goes out at once when it is this much below the last REMB (libwebrtc: 3 %),
    /// but not more often than <see cref="RembMinIntervalMs"/>.</summary>
    private const double RembDropRatio = 0.97;
    private const long RembMinIntervalMs = 200;
    private const int MaxNacksPerPacket = 64;
    private const int MaxTransportCcPerTick = 8;
    private static readonly byte[] Cname = "mobz-munit"u8.ToArray();

    private readonly IPacketBufferPool _pool = pool;
    private readonly MediaTotals _totals = totals ?? new MediaTotals();
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>Upper bound the Munit announces to publishers with REMB (all layers together): the most its own
    /// estimate can say, and all it says to a publisher that estimates for itself (transport-cc).</summary>
    public ulong PublisherMaxBitrate { get; set; } = 4_000_000;

    public void TickPublisher(Publisher publisher, long nowMs, bool reportDue)
    {
        if (publisher.TransportCc is not null && nowMs - publisher.LastTransportCcMs >= TransportCcIntervalMs)
        {
            publisher.LastTransportCcMs = nowMs;
            SendTransportCc(publisher);
        }
        long estimate = publisher.Estimator?.Update((long)PublisherMaxBitrate, nowMs) ?? 0;

        Span<ushort> lost = stackalloc ushort[MaxNacksPerPacket];
        Span<ReportBlock> blocks = stackalloc ReportBlock[8];
        Span<uint> videoSsrcs = stackalloc uint[8];
        int blockCount = 0,
            videoCount = 0;
        foreach (var producer in publisher.Producers)
        {
            producer.KeyFrames.Tick(nowMs);
            foreach (var layer in producer.Layers)
            {
                if (layer.Recv is not { } recv)
                    continue;
                int n = recv.Nacks.CollectDue(nowMs, NackIntervalMs, lost);
                if (n > 0)
                    publisher.SendNack(layer.Ssrc, lost[..n]);
                if (reportDue && blockCount < blocks.Length)
                    blocks[blockCount++] = recv.BuildReport(nowMs);
                if (producer.Kind == MediaKind.Video && videoCount < videoSsrcs.Length)
                    videoSsrcs[videoCount++] = layer.Ssrc;
            }
        }
        // The REMB value: the Munit's estimate (none until it has one), or the bound for a transport-cc publisher.
        long remb = publisher.Estimator is null ? (long)PublisherMaxBitrate : estimate;
        bool rembDrop =
            remb > 0 && remb < publisher.RembSent * RembDropRatio && nowMs - publisher.RembSentMs >= RembMinIntervalMs;
        bool sendRemb = videoCount > 0 && remb > 0 && (reportDue || rembDrop);
        if (!(reportDue && blockCount > 0) && !sendRemb)
            return;

        byte[] buffer = _pool.Rent();
        try
        {
            int length = 0;
            if (reportDue && blockCount > 0)
            {
                var rr = new ReceiverReportWriter { Ssrc = publisher.RtcpSsrc, ReportBlocks = blocks[..blockCount] };
                if (!rr.TryWrite(buffer, out length))
                    return;
            }
            if (sendRemb)
            {
                var writer = new ReceiverEstimatedMaxBitrateWriter
                {
                    SenderSsrc = publisher.RtcpSsrc,
                    Bitrate = (ulong)remb,
                    Ssrcs = videoSsrcs[..videoCount],
                };
                if (writer.TryWrite(buffer.AsSpan(length), out int rembLength))
                {
                    length += rembLength;
                    RembSent(publisher, remb, nowMs);
                }
            }
            if (length > 0)
                publisher.Output.SendRtcp(buffer, length);
        }
        finally
        {
            _pool.Return(buffer);
        }
    }

    private void RembSent(Publisher publisher, long remb, long nowMs)
    {
        if (publisher.Estimator is { } estimator && _logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug(
                "REMB to publisher {PeerId}: {Estimate} bit/s (was {Previous}; arriving {Incoming} bit/s, delay {Usage})",
                publisher.PeerId,
                remb,
                publisher.RembSent,
                estimator.IncomingBitsPerSecond(nowMs),
                estimator.Usage
            );
        }
        _totals.RembSent++;
        if (publisher.Estimator is not null)
            _totals.RembEstimate += remb - publisher.RembSent;
        publisher.RembSent = remb;
        publisher.RembSentMs = nowMs;
    }

    private void SendTransportCc(Publisher publisher)
    {
        var recorder = publisher.TransportCc!;
        byte[] buffer = _pool.Rent();
        try
        {
            for (
                int i = 0;
                i < MaxTransportCcPerTick && recorder.TryWriteFeedback(buffer, publisher.RtcpSsrc, out int n);
                i++
            )
            {
                if (recorder.FeedbackCount == 1)
                    _logger.LogDebug("First transport-cc feedback to publisher {PeerId}", publisher.PeerId);
                _totals.TransportCcFeedbackSent++;
                publisher.Output.SendRtcp(buffer, n);
            }
        }
        finally
        {
            _pool.Return(buffer);
        }
    }

    public void TickSubscriber(Subscriber subscriber, long nowMs, ulong ntpNow, bool reportDue)
    {
        subscriber.Allocate(nowMs);
        foreach (var consumer in subscriber.Consumers)
        {
            consumer.Tick(nowMs);
            if (consumer.Paused != consumer.LoggedPaused)
                LogPause(subscriber, consumer, nowMs);
            if (consumer.CeilingLayer != consumer.LoggedCeilingLayer)
                LogCeiling(subscriber, consumer);
            if (reportDue && consumer.Send.HasSent)
                SendSenderReport(subscriber, consumer, nowMs, ntpNow);
        }
        if (subscriber.TransportCc?.Prober is { } prober && prober.Succeeded + prober.Failed != subscriber.LoggedProbes)
        {
            subscriber.LoggedProbes = prober.Succeeded + prober.Failed;
            LogProbe(subscriber, subscriber.TransportCc, nowMs);
        }
    }

    /// <summary>A video track paused (not even its lowest layer fits the viewer's estimate) or resumed.</summary>
    private void LogPause(Subscriber subscriber, Consumer consumer, long nowMs)
    {
        consumer.LoggedPaused = consumer.Paused;
        if (consumer.Paused)
            _totals.TrackPauses++;
        _logger.LogInformation(
            "Viewer {PeerId} track {Mid} {Change}: estimate {EstimateBps} bit/s ({Source}), its lowest layer needs "
                + "{LowestBps} bit/s",
            subscriber.PeerId,
            consumer.Mid,
            consumer.Paused ? "paused" : "resumed",
            subscriber.BandwidthBps,
            subscriber.BandwidthSource ?? "none",
            consumer.LowestLayer(nowMs) is int lowest and >= 0 ? consumer.Producer.Bitrate(lowest, nowMs) : 0
        );
    }

    /// <summary>A probe cluster's verdict: information level when the link carried it (the estimate rises, and with
    /// it the layers), debug when it did not (a viewer on a link that stays limited is probed every few
    /// seconds).</summary>
    private void LogProbe(Subscriber subscriber, Congestion.TransportCcSender transportCc, long nowMs)
    {
        var prober = transportCc.Prober;
        bool carried = prober.LastResultBps >= 0.8 * prober.TargetBps;
        var level = carried ? LogLevel.Information : LogLevel.Debug;
        if (!_logger.IsEnabled(level))
            return;
        _logger.Log(
            level,
            "Viewer {PeerId} probe to {TargetBps} bit/s {Result}: measured {MeasuredBps} bit/s, estimate now "
                + "{EstimateBps} bit/s, its tracks want {WantedBps} bit/s ({Carried} of {Started} carried)",
            subscriber.PeerId,
            prober.TargetBps,
            carried ? "carried" : "not carried",
            prober.LastResultBps,
            transportCc.Estimator.Estimate,
            subscriber.WantedBitrate(nowMs),
            prober.Succeeded,
            prober.Started
        );
    }

    /// <summary>A viewer's layer ceiling moved: with transport-cc that is the Munit's own estimate at work (or a new
    /// preference under it), worth a line at information level (what a viewer gets and why); the first decision, and
    /// any with REMB, at debug.</summary>
    private void LogCeiling(Subscriber subscriber, Consumer consumer)
    {
        int from = consumer.LoggedCeilingLayer;
        consumer.LoggedCeilingLayer = consumer.CeilingLayer;
        if (subscriber.TransportCc is { } transportCc && from >= 0)
        {
            var estimator = transportCc.Estimator;
            _logger.LogInformation(
                "Viewer {PeerId} layer ceiling {FromLayer} -> {ToLayer} on track {Mid}: estimate {EstimateBps} bit/s "
                    + "(transport-cc; delay-based {DelayBasedBps}, loss-based {LossBasedBps}, loss {LossFraction:F3}, "
                    + "delay {Usage}), this track's share {ShareBps} bit/s",
                subscriber.PeerId,
                from,
                consumer.CeilingLayer,
                consumer.Mid,
                estimator.Estimate,
                estimator.DelayBased,
                estimator.LossBased,
                estimator.LossFraction,
                estimator.Usage,
                consumer.BandwidthShareBps
            );
        }
        else
        {
            _logger.LogDebug(
                "Viewer {PeerId} layer ceiling {FromLayer} -> {ToLayer}: bandwidth {BandwidthBps} bit/s ({Source})",
                subscriber.PeerId,
                from,
                consumer.CeilingLayer,
                subscriber.BandwidthBps,
                subscriber.BandwidthSource ?? "none"
            );
        }
    }

    private void SendSenderReport(Subscriber subscriber, Consumer consumer, long nowMs, ulong ntpNow)
    {
        uint sourceRtp = 0;
        long sourceArrival = 0;
        int layerIndex = consumer.CurrentLayer;
        if (layerIndex >= 0)
        {
            var layer = consumer.Producer.Layers[layerIndex];
            if (layer.Generation == consumer.CurrentGeneration && layer.Recv is { HasSenderReport: true } recv)
            {
                sourceRtp = consumer.Rewriter.MapTimestamp(recv.SrRtp);
                sourceArrival = recv.SrArrivalMs;
            }
        }
        var info = consumer.Send.BuildSenderInfo(ntpNow, nowMs, sourceRtp, sourceArrival);

        byte[] buffer = _pool.Rent();
        try
        {
            var sr = new SenderReportWriter
            {
                Ssrc = info.Ssrc,
                NtpTimestamp = info.NtpTimestamp,
                RtpTimestamp = info.RtpTimestamp,
                PacketCount = info.PacketCount,
                OctetCount = info.OctetCount,
            };
            if (!sr.TryWrite(buffer, out int length))
                return;
            var sdes = new SourceDescriptionWriter { Ssrc = info.Ssrc, Cname = Cname };
            if (sdes.TryWrite(buffer.AsSpan(length), out int sdesLength))
                length += sdesLength;
            subscriber.Output.SendRtcp(buffer, length);
        }
        finally
        {
            _pool.Return(buffer);
        }
    }
}
