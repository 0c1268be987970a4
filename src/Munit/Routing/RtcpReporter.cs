using MobZ.Munit.Buffers;
using MobZ.Rtc.Rtcp;

namespace MobZ.Munit.Routing;

/// <summary>
/// The RTCP the Munit originates, run from the media tick: NACKs for packets lost upstream (as soon as a gap
/// is seen, then about once per <see cref="NackIntervalMs"/>), and once per <see cref="ReportIntervalMs"/>
/// receiver reports + REMB to publishers and sender reports + SDES to viewers.
/// </summary>
public sealed class RtcpReporter(IPacketBufferPool pool)
{
    public const long ReportIntervalMs = 1000;
    public const long NackIntervalMs = 60;
    private const int MaxNacksPerPacket = 64;
    private static readonly byte[] Cname = "mobz-munit"u8.ToArray();

    private readonly IPacketBufferPool _pool = pool;

    /// <summary>Upper bound the Munit announces to publishers with REMB (all layers together).</summary>
    public ulong PublisherMaxBitrate { get; set; } = 4_000_000;

    public void TickPublisher(Publisher publisher, long nowMs, bool reportDue)
    {
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
        if (!reportDue || blockCount == 0)
            return;

        byte[] buffer = _pool.Rent();
        try
        {
            var rr = new ReceiverReportWriter { Ssrc = publisher.RtcpSsrc, ReportBlocks = blocks[..blockCount] };
            if (!rr.TryWrite(buffer, out int length))
                return;
            if (videoCount > 0)
            {
                var remb = new ReceiverEstimatedMaxBitrateWriter
                {
                    SenderSsrc = publisher.RtcpSsrc,
                    Bitrate = PublisherMaxBitrate,
                    Ssrcs = videoSsrcs[..videoCount],
                };
                if (remb.TryWrite(buffer.AsSpan(length), out int rembLength))
                    length += rembLength;
            }
            publisher.Output.SendRtcp(buffer, length);
        }
        finally
        {
            _pool.Return(buffer);
        }
    }

    public void TickSubscriber(Subscriber subscriber, long nowMs, ulong ntpNow, bool reportDue)
    {
        foreach (var consumer in subscriber.Consumers)
        {
            consumer.Tick(nowMs);
            if (reportDue && consumer.Send.HasSent)
                SendSenderReport(subscriber, consumer, nowMs, ntpNow);
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
