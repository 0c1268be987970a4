using MobZ.Rtc.Rtcp;

namespace MobZ.Rtc.Tests.Fuzz;

public class RtcpFuzzTests
{
    private static IEnumerable<byte[]> Seeds()
    {
        byte[] Write(Func<byte[], int> writer)
        {
            byte[] buffer = new byte[512];
            return buffer[..writer(buffer)];
        }

        var block = new ReportBlock(1, 2, -3, 4, 5, 6, 7);
        yield return Write(b => { new SenderReportWriter { Ssrc = 1, ReportBlocks = new[] { block, block } }.TryWrite(b, out int n); return n; });
        yield return Write(b => { new ReceiverReportWriter { Ssrc = 1, ReportBlocks = new[] { block } }.TryWrite(b, out int n); return n; });
        yield return Write(b => { new SourceDescriptionWriter { Ssrc = 1, Cname = "cname-value"u8 }.TryWrite(b, out int n); return n; });
        yield return Write(b => { new GoodbyeWriter { Ssrcs = new uint[] { 1, 2 }, Reason = "bye"u8 }.TryWrite(b, out int n); return n; });
        yield return Write(b => { new PictureLossIndication(1, 2).TryWrite(b, out int n); return n; });
        yield return Write(b => { new FullIntraRequestWriter { SenderSsrc = 1, Entries = new[] { new FirEntry(2, 3) } }.TryWrite(b, out int n); return n; });
        yield return Write(b => { new GenericNackWriter { SenderSsrc = 1, MediaSsrc = 2, LostSequenceNumbers = new ushort[] { 1, 3, 30 } }.TryWrite(b, out int n); return n; });
        yield return Write(b => { new ReceiverEstimatedMaxBitrateWriter { SenderSsrc = 1, Bitrate = 1_000_000, Ssrcs = new uint[] { 5 } }.TryWrite(b, out int n); return n; });
        yield return Write(b =>
        {
            var arrivals = new[] { new TransportCcArrival(1, 0), new TransportCcArrival(2, 100_000), new TransportCcArrival(9, 90_000), new TransportCcArrival(10, 91_000) };
            new TransportCcFeedbackWriter { SenderSsrc = 1, MediaSsrc = 2, Arrivals = arrivals }.TryWrite(b, out int n);
            return n;
        });
    }

    [Fact]
    public void Every_rtcp_reader_never_throws_on_mutated_or_random_input()
    {
        List<byte[]> seeds = Seeds().ToList();
        byte[] compound = seeds.SelectMany(s => s).ToArray();
        int packets = 0;
        foreach (byte[] input in Mutations.Of([.. seeds, compound], seed: 2, mutationsPerSeed: 1500, firstBytes: [0x80, 0x81, 0x82, 0x8F, 0xA1]))
        {
            foreach (RtcpPacket packet in new RtcpCompoundEnumerator(input))
            {
                packets++;
                Exercise(packet.Span);
            }

            Exercise(input);
        }

        Assert.True(packets > 1000, $"only {packets} RTCP packets were walked");
    }

    private static void Exercise(ReadOnlySpan<byte> packet)
    {
        if (SenderReport.TryRead(packet, out SenderReport sr))
        {
            for (int i = 0; i < sr.ReportCount; i++)
            {
                _ = sr.GetReportBlock(i);
            }

            _ = sr.ProfileExtensions.Length;
        }

        if (ReceiverReport.TryRead(packet, out ReceiverReport rr))
        {
            for (int i = 0; i < rr.ReportCount; i++)
            {
                _ = rr.GetReportBlock(i);
            }
        }

        if (SourceDescription.TryRead(packet, out SourceDescription sdes))
        {
            foreach (SdesChunk chunk in sdes.Chunks)
            {
                _ = chunk.TryGetItem(SourceDescription.CnameItem, out _);
            }
        }

        if (Goodbye.TryRead(packet, out Goodbye bye))
        {
            for (int i = 0; i < bye.SourceCount; i++)
            {
                _ = bye.GetSsrc(i);
            }
        }

        _ = PictureLossIndication.TryRead(packet, out _);
        if (FullIntraRequest.TryRead(packet, out FullIntraRequest fir))
        {
            for (int i = 0; i < fir.EntryCount; i++)
            {
                _ = fir.GetEntry(i);
            }
        }

        if (GenericNack.TryRead(packet, out GenericNack nack))
        {
            int count = 0;
            foreach (ushort _ in nack.LostSequenceNumbers)
            {
                count++;
            }

            Assert.InRange(count, nack.EntryCount, nack.EntryCount * 17);
        }

        if (ReceiverEstimatedMaxBitrate.TryRead(packet, out ReceiverEstimatedMaxBitrate remb))
        {
            for (int i = 0; i < remb.SsrcCount; i++)
            {
                _ = remb.GetSsrc(i);
            }
        }

        if (TransportCcFeedback.TryRead(packet, out TransportCcFeedback twcc))
        {
            int count = 0;
            foreach (TransportCcPacketResult _ in twcc.Packets)
            {
                count++;
            }

            Assert.Equal(twcc.PacketStatusCount, count);
        }
    }
}
