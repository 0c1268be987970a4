using System.Buffers.Binary;
using MobZ.Hls.Codecs;

namespace MobZ.Hls.Tests.Codecs;

public sealed class H264DepacketizerTests
{
    private sealed class Sink : IH264AccessUnitSink
    {
        public List<(byte[] Avcc, uint Timestamp, bool Idr)> Units { get; } = [];
        public List<H264DropReason> Drops { get; } = [];

        public void OnAccessUnit(ReadOnlySpan<byte> avcc, uint rtpTimestamp, bool isIdr) =>
            Units.Add((avcc.ToArray(), rtpTimestamp, isIdr));

        public void OnAccessUnitDropped(H264DropReason reason) => Drops.Add(reason);
    }

    private static readonly byte[] Sps = Convert.FromHexString("6742c00dd90141fb0110000003001000000303c0f142a480");
    private static readonly byte[] Pps = [0x68, 0xce, 0x3c, 0x80];
    private static readonly byte[] Idr = [0x65, 0x88, 0x84, 0x00, 0x33, 0xff];
    private static readonly byte[] NonIdr = [0x41, 0x9a, 0x22, 0x11];

    private static byte[] StapA(params byte[][] nals)
    {
        var b = new List<byte> { 0x78 }; // F=0, NRI=3, type 24
        foreach (byte[] nal in nals)
        {
            b.Add((byte)(nal.Length >> 8));
            b.Add((byte)nal.Length);
            b.AddRange(nal);
        }

        return [.. b];
    }

    private static List<byte[]> FuA(byte[] nal, int fragment)
    {
        var packets = new List<byte[]>();
        byte indicator = (byte)((nal[0] & 0xE0) | 28);
        for (int offset = 1; offset < nal.Length; offset += fragment)
        {
            int length = Math.Min(fragment, nal.Length - offset);
            byte header = (byte)(nal[0] & 0x1F);
            if (offset == 1)
            {
                header |= 0x80;
            }

            if (offset + length >= nal.Length)
            {
                header |= 0x40;
            }

            packets.Add([indicator, header, .. nal.AsSpan(offset, length)]);
        }

        return packets;
    }

    private static byte[] Avcc(params byte[][] nals)
    {
        var b = new List<byte>();
        foreach (byte[] nal in nals)
        {
            byte[] length = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)nal.Length);
            b.AddRange(length);
            b.AddRange(nal);
        }

        return [.. b];
    }

    private static byte[] BigIdr()
    {
        byte[] nal = new byte[3000];
        new Random(3).NextBytes(nal);
        nal[0] = 0x65;
        return nal;
    }

    [Fact]
    public void STAP_A_with_parameter_sets_then_single_NAL_IDR_gives_one_keyframe_without_parameter_sets()
    {
        var sink = new Sink();
        using var d = new H264Depacketizer(sink);

        d.Push(StapA(Sps, Pps), 1, 9000, marker: false);
        d.Push(Idr, 2, 9000, marker: true);

        var unit = Assert.Single(sink.Units);
        Assert.True(unit.Idr);
        Assert.Equal(Avcc(Idr), unit.Avcc);
        Assert.Equal(Sps, d.Sps.ToArray());
        Assert.Equal(Pps, d.Pps.ToArray());
    }

    [Fact]
    public void FU_A_fragments_are_reassembled_with_the_original_NAL_header()
    {
        var sink = new Sink();
        using var d = new H264Depacketizer(sink);
        byte[] idr = BigIdr();
        ushort seq = 100;
        foreach (byte[] packet in FuA(idr, 1000))
        {
            d.Push(packet, seq++, 1234, marker: false);
        }

        d.Push(NonIdr, seq, 4234, marker: true); // the timestamp change ends the IDR frame

        Assert.Equal(2, sink.Units.Count);
        Assert.Equal(Avcc(idr), sink.Units[0].Avcc);
        Assert.True(sink.Units[0].Idr);
        Assert.Equal(Avcc(NonIdr), sink.Units[1].Avcc);
        Assert.False(sink.Units[1].Idr);
    }

    [Fact]
    public void A_lost_middle_fragment_drops_the_frame_instead_of_emitting_it()
    {
        var sink = new Sink();
        using var d = new H264Depacketizer(sink);
        var fragments = FuA(BigIdr(), 1000);
        d.Push(fragments[0], 1, 90, false);
        d.Push(fragments[2], 3, 90, true); // fragment 2 (seq 2) lost

        Assert.Empty(sink.Units);
        Assert.Equal([H264DropReason.SequenceGap], sink.Drops);
    }

    [Fact]
    public void A_gap_between_frames_drops_the_frame_after_it()
    {
        var sink = new Sink();
        using var d = new H264Depacketizer(sink);
        d.Push(Idr, 1, 0, true);
        d.Push(NonIdr, 3, 3000, true); // seq 2 (maybe the head of this frame) lost

        Assert.Single(sink.Units);
        Assert.Equal([H264DropReason.SequenceGap], sink.Drops);
    }

    [Fact]
    public void A_fragment_without_its_start_is_a_broken_frame()
    {
        var sink = new Sink();
        using var d = new H264Depacketizer(sink);
        var fragments = FuA(BigIdr(), 1000);
        d.Push(NonIdr, 1, 0, true);
        d.Push(fragments[1], 2, 90, false); // sequence is contiguous but the FU start never came
        d.Push(fragments[2], 3, 90, true);

        Assert.Single(sink.Units);
        Assert.Equal([H264DropReason.BrokenFragment], sink.Drops);
    }

    [Fact]
    public void A_frame_whose_fragment_never_ends_is_dropped_when_the_timestamp_moves()
    {
        var sink = new Sink();
        using var d = new H264Depacketizer(sink);
        var fragments = FuA(BigIdr(), 1000);
        d.Push(fragments[0], 1, 90, false);
        d.Push(fragments[1], 2, 90, false);
        d.Push(NonIdr, 3, 3090, true); // the end fragment was never sent, yet no sequence gap

        Assert.Equal([H264DropReason.BrokenFragment], sink.Drops);
        Assert.Single(sink.Units);
    }

    [Fact]
    public void Late_and_duplicate_packets_are_ignored()
    {
        var sink = new Sink();
        using var d = new H264Depacketizer(sink);
        d.Push(Idr, 10, 0, true);
        d.Push(Idr, 10, 0, true);
        d.Push(NonIdr, 9, 0, true);
        d.Push(NonIdr, 11, 3000, true);

        Assert.Equal(2, sink.Units.Count);
        Assert.Equal(2, d.LatePackets);
        Assert.Empty(sink.Drops);
    }

    [Fact]
    public void Sequence_numbers_wrap_without_a_gap()
    {
        var sink = new Sink();
        using var d = new H264Depacketizer(sink);
        d.Push(Idr, 65535, 0, true);
        d.Push(NonIdr, 0, 3000, true);

        Assert.Equal(2, sink.Units.Count);
        Assert.Empty(sink.Drops);
    }

    [Theory]
    [InlineData(new byte[] { 0x78, 0x00, 0x10, 0x65 })] // STAP-A size past the end
    [InlineData(new byte[] { 0x78, 0x00 })] // STAP-A with half a size
    [InlineData(new byte[] { 0x78, 0x00, 0x00 })] // STAP-A zero size
    [InlineData(new byte[] { 0x7C, 0xC5, 0x00 })] // FU-A with both start and end
    [InlineData(new byte[] { 0x7C })] // FU-A without header
    [InlineData(new byte[] { 0x7C, 0x80, 0x00 })] // FU-A of NAL type 0
    [InlineData(new byte[] { 0x78, 0x00, 0x01, 0x18 })] // STAP-A inside STAP-A
    [InlineData(new byte[] { 0xE5, 0x00 })] // forbidden bit set
    [InlineData(new byte[] { 0x00 })] // type 0
    public void MalformedPayloadsDropTheFrame(byte[] payload)
    {
        var sink = new Sink();
        using var d = new H264Depacketizer(sink);
        d.Push(payload, 1, 0, true);

        Assert.Empty(sink.Units);
        Assert.Single(sink.Drops);
    }

    [Theory]
    [InlineData(25)]
    [InlineData(26)]
    [InlineData(27)]
    [InlineData(29)]
    public void Interleaved_mode_packets_are_unsupported(int type)
    {
        var sink = new Sink();
        using var d = new H264Depacketizer(sink);
        d.Push([(byte)(0x60 | type), 0, 0, 0, 0, 0], 1, 0, true);

        Assert.Equal([H264DropReason.UnsupportedPacketization], sink.Drops);
    }

    [Fact]
    public void Random_and_truncated_payloads_never_throw_and_every_emitted_frame_is_well_formed()
    {
        var random = new Random(11);
        var sink = new Sink();
        using var d = new H264Depacketizer(sink);
        ushort seq = 0;
        uint ts = 0;
        for (int i = 0; i < 50_000; i++)
        {
            byte[] payload = new byte[random.Next(0, 40)];
            random.NextBytes(payload);
            if (random.Next(4) == 0)
            {
                seq += (ushort)random.Next(0, 3);
            }

            d.Push(payload, seq++, ts, random.Next(3) == 0);
            if (random.Next(5) == 0)
            {
                ts += 3000;
            }
        }

        Assert.NotEmpty(sink.Units);
        foreach (var unit in sink.Units)
        {
            ReadOnlySpan<byte> rest = unit.Avcc;
            while (!rest.IsEmpty)
            {
                int length = (int)BinaryPrimitives.ReadUInt32BigEndian(rest);
                Assert.InRange(length, 1, rest.Length - 4);
                Assert.InRange(rest[4] & 0x1F, 1, 23);
                rest = rest[(4 + length)..];
            }
        }
    }
}
