using MobZ.Rtc.Rtcp;

namespace MobZ.Rtc.Tests.Rtcp;

public class FeedbackPacketTests
{
    [Fact]
    public void Pli_is_twelve_bytes_with_fmt_1_pt_206()
    {
        var pli = new PictureLossIndication(0x01020304, 0x05060708);
        byte[] buffer = new byte[pli.GetSize()];
        Assert.True(pli.TryWrite(buffer, out _));
        Assert.Equal("81CE00020102030405060708", Convert.ToHexString(buffer));
        Assert.True(PictureLossIndication.TryRead(buffer, out PictureLossIndication read));
        Assert.Equal(pli, read);
    }

    [Fact]
    public void Pli_reader_refuses_a_generic_nack()
    {
        Assert.False(PictureLossIndication.TryRead(Convert.FromHexString("81CD0003010203040506070800010000"), out _));
    }

    [Fact]
    public void Fir_entries_round_trip_and_media_ssrc_is_zero()
    {
        var writer = new FullIntraRequestWriter
        {
            SenderSsrc = 9,
            Entries = new[] { new FirEntry(100, 1), new FirEntry(200, 255) },
        };
        byte[] buffer = new byte[writer.GetSize()];
        Assert.True(writer.TryWrite(buffer, out int written));
        Assert.Equal(28, written);
        Assert.True(FullIntraRequest.TryRead(buffer, out FullIntraRequest fir));
        Assert.Equal(9u, fir.SenderSsrc);
        Assert.Equal(0u, fir.MediaSsrc);
        Assert.Equal(2, fir.EntryCount);
        Assert.Equal(new FirEntry(100, 1), fir.GetEntry(0));
        Assert.Equal(new FirEntry(200, 255), fir.GetEntry(1));
    }

    [Theory]
    [InlineData(new int[] { 100 }, 1)]
    [InlineData(new int[] { 100, 101, 116 }, 1)]
    [InlineData(new int[] { 100, 117 }, 2)]
    [InlineData(new int[] { 65534, 65535, 0, 1, 14 }, 1)]
    [InlineData(new int[] { 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 33, 35 }, 2)]
    public void Nack_writer_packs_losses_into_pid_blp_and_reader_expands_them_back(int[] lost, int entries)
    {
        ushort[] sequences = lost.Select(s => (ushort)s).ToArray();
        var writer = new GenericNackWriter
        {
            SenderSsrc = 1,
            MediaSsrc = 2,
            LostSequenceNumbers = sequences,
        };
        Assert.Equal(entries, writer.GetEntryCount());
        byte[] buffer = new byte[writer.GetSize()];
        Assert.True(writer.TryWrite(buffer, out _));

        Assert.True(GenericNack.TryRead(buffer, out GenericNack nack));
        Assert.Equal(2u, nack.MediaSsrc);
        Assert.Equal(entries, nack.EntryCount);
        var expanded = new List<ushort>();
        foreach (ushort seq in nack.LostSequenceNumbers)
        {
            expanded.Add(seq);
        }

        Assert.Equal(sequences, expanded);
    }

    [Fact]
    public void Nack_blp_bit_i_means_pid_plus_i_plus_1()
    {
        // PID 1000, BLP 0b1000_0000_0000_0101 => 1000, 1001, 1003, 1016
        byte[] packet = Convert.FromHexString("81CD0003" + "00000001" + "00000002" + "03E88005");
        Assert.True(GenericNack.TryRead(packet, out GenericNack nack));
        Assert.Equal((ushort)1000, nack.GetEntry(0).Pid);
        var expanded = new List<int>();
        foreach (ushort seq in nack.LostSequenceNumbers)
        {
            expanded.Add(seq);
        }

        Assert.Equal(new[] { 1000, 1001, 1003, 1016 }, expanded);
    }

    [Fact]
    public void Nack_without_fci_is_rejected()
    {
        Assert.False(GenericNack.TryRead(Convert.FromHexString("81CD00020000000100000002"), out _));
    }

    [Theory]
    [InlineData(0ul)]
    [InlineData(262_143ul)]
    [InlineData(262_144ul)]
    [InlineData(1_500_000ul)]
    [InlineData(2_500_000_000ul)]
    public void Remb_bitrate_round_trips_within_mantissa_precision(ulong bitrate)
    {
        var writer = new ReceiverEstimatedMaxBitrateWriter
        {
            SenderSsrc = 1,
            Bitrate = bitrate,
            Ssrcs = new uint[] { 10, 20 },
        };
        byte[] buffer = new byte[writer.GetSize()];
        Assert.True(writer.TryWrite(buffer, out _));
        Assert.True(ReceiverEstimatedMaxBitrate.TryRead(buffer, out ReceiverEstimatedMaxBitrate remb));
        Assert.InRange(remb.Bitrate, bitrate - (bitrate >> 17), bitrate);
        Assert.Equal(2, remb.SsrcCount);
        Assert.Equal(20u, remb.GetSsrc(1));
    }

    [Fact]
    public void Remb_reads_the_layout_libwebrtc_sends()
    {
        // Num SSRC 1, exp 3, mantissa 0x3FFFF => 2,097,144 bps
        byte[] packet = Convert.FromHexString(
            "8FCE0005" + "00000001" + "00000000" + "52454D42" + "010FFFFF" + "12345678"
        );
        Assert.True(ReceiverEstimatedMaxBitrate.TryRead(packet, out ReceiverEstimatedMaxBitrate remb));
        Assert.Equal(0x3FFFFul << 3, remb.Bitrate);
        Assert.Equal(0x12345678u, remb.GetSsrc(0));
    }

    [Fact]
    public void Application_feedback_without_the_remb_identifier_is_not_remb()
    {
        byte[] packet = Convert.FromHexString("8FCE0004" + "00000001" + "00000000" + "41424344" + "00000000");
        Assert.False(ReceiverEstimatedMaxBitrate.IsRemb(packet));
    }
}
