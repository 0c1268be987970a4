using MobZ.Rtc.Rtcp;
using static MobZ.Fuzz.FuzzInvariantException;

namespace MobZ.Fuzz.Harnesses;

/// <summary>A compound RTCP datagram as the receive path walks it: every packet through every reader and
/// accessor.</summary>
internal static class RtcpHarness
{
    public static void Run(byte[] input)
    {
        _ = RtcpCompoundEnumerator.IsWellFormed(input);
        foreach (RtcpPacket packet in new RtcpCompoundEnumerator(input))
        {
            Check(
                packet.Span.Length >= 4 && packet.Span.Length <= input.Length,
                "a compound's packet lies inside the datagram"
            );
            Exercise(packet.Span);
        }

        Exercise(input);
    }

    private static void Exercise(ReadOnlySpan<byte> packet)
    {
        if (SenderReport.TryRead(packet, out SenderReport sr))
        {
            for (int i = 0; i < sr.ReportCount; i++)
                _ = sr.GetReportBlock(i);
            _ = sr.ProfileExtensions.Length;
        }

        if (ReceiverReport.TryRead(packet, out ReceiverReport rr))
        {
            for (int i = 0; i < rr.ReportCount; i++)
                _ = rr.GetReportBlock(i);
        }

        if (SourceDescription.TryRead(packet, out SourceDescription sdes))
        {
            foreach (SdesChunk chunk in sdes.Chunks)
                _ = chunk.TryGetItem(SourceDescription.CnameItem, out _);
        }

        _ = PictureLossIndication.TryRead(packet, out _);
        if (FullIntraRequest.TryRead(packet, out FullIntraRequest fir))
        {
            for (int i = 0; i < fir.EntryCount; i++)
                _ = fir.GetEntry(i);
        }

        if (GenericNack.TryRead(packet, out GenericNack nack))
        {
            int count = 0;
            foreach (ushort _ in nack.LostSequenceNumbers)
                count++;
            Check(
                count >= nack.EntryCount && count <= nack.EntryCount * 17,
                "a NACK lists 1 to 17 sequence numbers per entry"
            );
        }

        if (ReceiverEstimatedMaxBitrate.TryRead(packet, out ReceiverEstimatedMaxBitrate remb))
        {
            for (int i = 0; i < remb.SsrcCount; i++)
                _ = remb.GetSsrc(i);
        }

        if (TransportCcFeedback.TryRead(packet, out TransportCcFeedback twcc))
        {
            int count = 0;
            foreach (TransportCcPacketResult _ in twcc.Packets)
                count++;
            Check(twcc.PacketStatusCount == count, "transport-cc yields as many results as its status count");
        }
    }
}
