using MobZ.Munit.Stats;
using MobZ.Rtc.Rtcp;

namespace MobZ.Munit.Routing;

/// <summary>
/// RTCP arriving at the Munit. From a viewer: PLI/FIR become (throttled) keyframe requests to the publisher,
/// NACKs are answered from the packet cache, receiver reports update loss and RTT, transport-cc feedback moves
/// the Munit's send-side estimate, which is the viewer's bandwidth, or else REMB sets it (when negotiated). From
/// a publisher: sender reports give the RTP/NTP mapping each layer's viewers inherit.
/// Malformed compound packets are dropped whole at the first bad packet.
/// </summary>
public static class RtcpReceiver
{
    public static void OnViewerRtcp(
        Forwarder forwarder,
        Subscriber subscriber,
        ReadOnlySpan<byte> datagram,
        long nowMs,
        uint nowNtpMiddle32
    )
    {
        foreach (var packet in new RtcpCompoundEnumerator(datagram))
        {
            switch (packet.PacketType)
            {
                case RtcpPacketType.ReceiverReport when ReceiverReport.TryRead(packet.Span, out var rr):
                    for (int i = 0; i < rr.ReportCount; i++)
                        OnReportBlock(subscriber, rr.GetReportBlock(i), nowNtpMiddle32);
                    break;
                case RtcpPacketType.SenderReport when SenderReport.TryRead(packet.Span, out var sr):
                    for (int i = 0; i < sr.ReportCount; i++)
                        OnReportBlock(subscriber, sr.GetReportBlock(i), nowNtpMiddle32);
                    break;
                case RtcpPacketType.PayloadFeedback:
                    OnPayloadFeedback(forwarder.Totals, subscriber, packet, nowMs);
                    break;
                case RtcpPacketType.TransportFeedback
                    when packet.Count == RtcpFeedbackFormat.GenericNack
                        && GenericNack.TryRead(packet.Span, out var nack):
                    OnNack(forwarder, subscriber, nack, nowMs);
                    break;
                case RtcpPacketType.TransportFeedback when packet.Count == RtcpFeedbackFormat.TransportWideCc:
                    OnTransportCcFeedback(forwarder.Totals, subscriber, packet.Span, nowMs);
                    break;
            }
        }
    }

    private static void OnReportBlock(Subscriber subscriber, in ReportBlock block, uint nowNtpMiddle32) =>
        subscriber.FindBySsrc(block.Ssrc)?.Send.OnReceiverReport(block, nowNtpMiddle32);

    private static void OnPayloadFeedback(MediaTotals totals, Subscriber subscriber, in RtcpPacket packet, long nowMs)
    {
        if (
            packet.Count == RtcpFeedbackFormat.PictureLossIndication
            && PictureLossIndication.TryRead(packet.Span, out var pli)
        )
        {
            totals.KeyFrameRequestsReceived++;
            subscriber.FindBySsrc(pli.MediaSsrc)?.RequestKeyFrame(nowMs);
        }
        else if (
            packet.Count == RtcpFeedbackFormat.FullIntraRequest
            && FullIntraRequest.TryRead(packet.Span, out var fir)
        )
        {
            totals.KeyFrameRequestsReceived++;
            for (int i = 0; i < fir.EntryCount; i++)
                subscriber.FindBySsrc(fir.GetEntry(i).Ssrc)?.RequestKeyFrame(nowMs);
        }
        else if (
            packet.Count == RtcpFeedbackFormat.ApplicationLayer
            && ReceiverEstimatedMaxBitrate.TryRead(packet.Span, out var remb)
        )
        {
            subscriber.OnRemb((long)Math.Min(remb.Bitrate, long.MaxValue));
        }
    }

    /// <summary>A viewer's transport-cc feedback: its estimate moves, and with it the viewer's bandwidth (ignored
    /// from a viewer that did not negotiate transport-cc: nothing it reports was numbered by us).</summary>
    private static void OnTransportCcFeedback(
        MediaTotals totals,
        Subscriber subscriber,
        ReadOnlySpan<byte> packet,
        long nowMs
    )
    {
        if (subscriber.TransportCc is not { } transportCc)
            return;
        long succeeded = transportCc.Prober.Succeeded,
            failed = transportCc.Prober.Failed;
        if (!transportCc.OnFeedback(packet, nowMs))
        {
            totals.ViewerTransportCcFeedbackMalformed++;
            return;
        }
        totals.ProbesSucceeded += transportCc.Prober.Succeeded - succeeded;
        totals.ProbesFailed += transportCc.Prober.Failed - failed;
        totals.ViewerTransportCcFeedback++;
        long before = subscriber.TransportCcEstimateBps;
        subscriber.ApplyTransportCcEstimate();
        totals.ViewerEstimateChanged(before, subscriber.TransportCcEstimateBps);
    }

    private static void OnNack(Forwarder forwarder, Subscriber subscriber, in GenericNack nack, long nowMs)
    {
        var consumer = subscriber.FindBySsrc(nack.MediaSsrc);
        if (consumer is null)
            return;
        consumer.Send.NacksReceived++;
        forwarder.Totals.NacksReceived++;
        foreach (ushort seq in nack.LostSequenceNumbers)
        {
            if (!forwarder.Retransmit(consumer, seq, nowMs))
                consumer.Send.NackedPacketsMissing++;
        }
    }

    public static void OnPublisherRtcp(Publisher publisher, ReadOnlySpan<byte> datagram, long nowMs)
    {
        foreach (var packet in new RtcpCompoundEnumerator(datagram))
        {
            if (packet.PacketType != RtcpPacketType.SenderReport || !SenderReport.TryRead(packet.Span, out var sr))
                continue;
            foreach (var producer in publisher.Producers)
            {
                int layer = producer.FindLayer(sr.Ssrc);
                if (layer < 0)
                    continue;
                producer.Layers[layer].Recv?.OnSenderReport(sr.NtpTimestamp, sr.RtpTimestamp, nowMs);
            }
        }
    }
}
