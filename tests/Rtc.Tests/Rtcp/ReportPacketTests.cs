using MobZ.Rtc.Rtcp;

namespace MobZ.Rtc.Tests.Rtcp;

public class ReportPacketTests
{
    private static readonly ReportBlock BlockA = new(0x11111111, 25, -3, 0x0001FFFF, 120, 0xAABBCCDD, 65536);
    private static readonly ReportBlock BlockB = new(0x22222222, 255, 0x7FFFFF, 7, 0, 0, 0);

    [Fact]
    public void Sender_report_with_blocks_round_trips()
    {
        var writer = new SenderReportWriter
        {
            Ssrc = 0xDEADBEEF,
            NtpTimestamp = 0xE1234567_89ABCDEF,
            RtpTimestamp = 123456,
            PacketCount = 100,
            OctetCount = 120000,
            ReportBlocks = new[] { BlockA, BlockB },
        };
        byte[] buffer = new byte[writer.GetSize()];
        Assert.True(writer.TryWrite(buffer, out int written));
        Assert.Equal(28 + 48, written);
        Assert.Equal(0x82, buffer[0]);
        Assert.Equal(200, buffer[1]);
        Assert.Equal(written / 4 - 1, (buffer[2] << 8) | buffer[3]);

        Assert.True(SenderReport.TryRead(buffer, out SenderReport sr));
        Assert.Equal(0xDEADBEEFu, sr.Ssrc);
        Assert.Equal(0xE1234567_89ABCDEFul, sr.NtpTimestamp);
        Assert.Equal(123456u, sr.RtpTimestamp);
        Assert.Equal(100u, sr.PacketCount);
        Assert.Equal(120000u, sr.OctetCount);
        Assert.Equal(2, sr.ReportCount);
        Assert.Equal(BlockA, sr.GetReportBlock(0));
        Assert.Equal(BlockB, sr.GetReportBlock(1));
    }

    [Fact]
    public void Receiver_report_round_trips_and_keeps_negative_cumulative_loss()
    {
        var writer = new ReceiverReportWriter { Ssrc = 5, ReportBlocks = new[] { BlockA } };
        byte[] buffer = new byte[writer.GetSize()];
        Assert.True(writer.TryWrite(buffer, out _));
        Assert.True(ReceiverReport.TryRead(buffer, out ReceiverReport rr));
        Assert.Equal(5u, rr.Ssrc);
        Assert.Equal(1, rr.ReportCount);
        Assert.Equal(-3, rr.GetReportBlock(0).CumulativeLost);
        Assert.Equal(BlockA, rr.GetReportBlock(0));
    }

    [Fact]
    public void Empty_receiver_report_is_eight_bytes()
    {
        var writer = new ReceiverReportWriter { Ssrc = 1 };
        byte[] buffer = new byte[writer.GetSize()];
        Assert.True(writer.TryWrite(buffer, out int written));
        Assert.Equal(8, written);
        Assert.Equal("80C9000100000001", Convert.ToHexString(buffer));
    }

    [Fact]
    public void Cumulative_loss_beyond_24_bits_is_clamped_when_written()
    {
        var block = BlockA with { CumulativeLost = 50_000_000 };
        byte[] buffer = new byte[ReportBlock.Size];
        Assert.True(block.TryWrite(buffer));
        Assert.True(ReportBlock.TryRead(buffer, out ReportBlock read));
        Assert.Equal(ReportMath.MaxCumulativeLost, read.CumulativeLost);
    }

    [Theory]
    [InlineData("81C8000600000001000000000000000000000000000000000000", "report count 1 but no block")]
    [InlineData("80C90001000000", "shorter than its length field")]
    [InlineData("80C8000100000001", "sender info missing")]
    [InlineData("80C9000100000001", "is a receiver report")]
    public void Sender_report_reader_rejects(string hex, string because)
    {
        Assert.False(SenderReport.TryRead(Convert.FromHexString(hex), out _), because);
    }

    [Fact]
    public void Sdes_cname_round_trips_with_32_bit_padding()
    {
        byte[] cname = "user@example"u8.ToArray();
        var writer = new SourceDescriptionWriter { Ssrc = 0x01020304, Cname = cname };
        byte[] buffer = new byte[writer.GetSize()];
        Assert.True(writer.TryWrite(buffer, out int written));
        Assert.Equal(0, written % 4);
        Assert.True(SourceDescription.TryRead(buffer, out SourceDescription sdes));
        Assert.Equal(1, sdes.ChunkCount);
        Assert.True(sdes.TryGetCname(out uint ssrc, out ReadOnlySpan<byte> value));
        Assert.Equal(0x01020304u, ssrc);
        Assert.Equal(cname, value.ToArray());
    }

    [Fact]
    public void Sdes_with_two_chunks_and_several_items_is_read()
    {
        // chunk 1: ssrc 1, NAME(2)="ab", CNAME="x", END + pad; chunk 2: ssrc 2, CNAME="yz", END + pad
        byte[] packet = Convert.FromHexString(
            "82CA0006" + "00000001" + "02026162" + "010178" + "00" + "00000002" + "0102797A" + "00000000"
        );
        Assert.True(SourceDescription.TryRead(packet, out SourceDescription sdes));
        var found = new List<(uint, string)>();
        foreach (SdesChunk chunk in sdes.Chunks)
        {
            Assert.True(chunk.TryGetItem(SourceDescription.CnameItem, out ReadOnlySpan<byte> cname));
            found.Add((chunk.Ssrc, System.Text.Encoding.UTF8.GetString(cname)));
        }

        Assert.Equal(new[] { (1u, "x"), (2u, "yz") }, found);
    }

    [Fact]
    public void Sdes_chunk_without_end_octet_is_rejected()
    {
        byte[] packet = Convert.FromHexString("81CA00020000000101027A79");
        Assert.False(SourceDescription.TryRead(packet, out _));
    }
}
