using MobZ.Rtc.Rtp;

namespace MobZ.Rtc.Tests.Rtp;

public class RtxPacketTests
{
    private static byte[] Original()
    {
        var writer = new RtpPacketWriter
        {
            Marker = true,
            PayloadType = 96,
            SequenceNumber = 4321,
            Timestamp = 90000,
            Ssrc = 1111,
            ExtensionProfile = RtpHeaderExtensionProfile.OneByte,
            ExtensionData = new byte[] { 0x10, 0x05 },
            Payload = Enumerable.Range(0, 50).Select(i => (byte)i).ToArray(),
            PaddingSize = 4,
        };
        byte[] buffer = new byte[writer.GetSize()];
        writer.TryWrite(buffer, out _);
        return buffer;
    }

    [Fact]
    public void Wrapping_prepends_the_original_sequence_number_and_swaps_pt_ssrc_seq()
    {
        byte[] original = Original();
        byte[] rtx = new byte[original.Length + 2];
        Assert.True(RtxPacket.TryWrap(original, 97, 2222, 7, rtx, out int written));
        Assert.True(RtpPacket.TryRead(rtx.AsSpan(0, written), out RtpPacket packet));
        Assert.Equal(97, packet.PayloadType);
        Assert.Equal(2222u, packet.Ssrc);
        Assert.Equal(7, packet.SequenceNumber);
        Assert.True(packet.Marker);
        Assert.False(packet.HasPadding);
        Assert.True(RtxPacket.TryReadOriginalSequenceNumber(packet.Payload, out ushort osn));
        Assert.Equal(4321, osn);
        Assert.Equal(52, packet.Payload.Length);
        Assert.True(packet.TryGetExtension(1, out ReadOnlySpan<byte> ext));
        Assert.Equal(new byte[] { 5 }, ext.ToArray());
    }

    [Fact]
    public void Unwrapping_restores_the_original_packet_without_padding()
    {
        byte[] original = Original();
        byte[] rtx = new byte[original.Length + 2];
        RtxPacket.TryWrap(original, 97, 2222, 7, rtx, out int rtxLength);
        byte[] restored = new byte[rtxLength];
        Assert.True(RtxPacket.TryUnwrap(rtx.AsSpan(0, rtxLength), 96, 1111, restored, out int written));

        Assert.True(RtpPacket.TryRead(original, out RtpPacket expected));
        Assert.True(RtpPacket.TryRead(restored.AsSpan(0, written), out RtpPacket actual));
        Assert.Equal(expected.SequenceNumber, actual.SequenceNumber);
        Assert.Equal(expected.Ssrc, actual.Ssrc);
        Assert.Equal(expected.PayloadType, actual.PayloadType);
        Assert.Equal(expected.Timestamp, actual.Timestamp);
        Assert.Equal(expected.Payload.ToArray(), actual.Payload.ToArray());
        Assert.False(actual.HasPadding);
    }

    [Fact]
    public void Wrap_and_unwrap_work_in_place_on_one_buffer()
    {
        byte[] original = Original();
        Assert.True(RtpPacket.TryRead(original, out RtpPacket expected));
        byte[] expectedPayload = expected.Payload.ToArray();
        byte[] buffer = new byte[original.Length + 2];
        original.CopyTo(buffer, 0);

        Assert.True(RtxPacket.TryWrap(buffer.AsSpan(0, original.Length), 97, 2222, 7, buffer, out int rtxLength));
        Assert.True(RtxPacket.TryUnwrap(buffer.AsSpan(0, rtxLength), 96, 1111, buffer, out int length));
        Assert.True(RtpPacket.TryRead(buffer.AsSpan(0, length), out RtpPacket actual));
        Assert.Equal(4321, actual.SequenceNumber);
        Assert.Equal(expectedPayload, actual.Payload.ToArray());
    }

    [Fact]
    public void An_rtx_padding_probe_without_osn_cannot_be_unwrapped()
    {
        byte[] probe = Convert.FromHexString("A061000100000001000000020000000000000008");
        Assert.False(RtxPacket.TryUnwrap(probe, 96, 1, new byte[64], out _));
    }
}
