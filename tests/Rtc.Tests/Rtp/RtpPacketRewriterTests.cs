using MobZ.Rtc.Rtp;

namespace MobZ.Rtc.Tests.Rtp;

public class RtpPacketRewriterTests
{
    private const int AbsSendTimeId = 2;
    private const int TransportCcId = 4;

    private static byte[] BuildPacket(bool twoByte = false)
    {
        Span<byte> ext = stackalloc byte[32];
        var extensions = new RtpHeaderExtensionWriter(ext, twoByte);
        extensions.TryAdd(AbsSendTimeId, new byte[] { 0x11, 0x22, 0x33 });
        extensions.TryAdd(TransportCcId, new byte[] { 0x00, 0x07 });
        var writer = new RtpPacketWriter
        {
            Marker = false,
            PayloadType = 96,
            SequenceNumber = 10,
            Timestamp = 20,
            Ssrc = 30,
            ExtensionProfile = extensions.Profile,
            ExtensionData = extensions.Written,
            Payload = new byte[] { 9, 8, 7, 6 },
        };
        byte[] buffer = new byte[writer.GetSize()];
        writer.TryWrite(buffer, out _);
        return buffer;
    }

    [Fact]
    public void Header_fields_are_rewritten_in_place_without_touching_the_rest()
    {
        byte[] packet = BuildPacket();
        RtpPacketRewriter.SetSsrc(packet, 0xAABBCCDD);
        RtpPacketRewriter.SetSequenceNumber(packet, 0xFFFF);
        RtpPacketRewriter.SetTimestamp(packet, 0x80000000);
        RtpPacketRewriter.SetPayloadType(packet, 100);
        RtpPacketRewriter.SetMarker(packet, true);

        Assert.True(RtpPacket.TryRead(packet, out RtpPacket rtp));
        Assert.Equal(0xAABBCCDDu, rtp.Ssrc);
        Assert.Equal(0xFFFF, rtp.SequenceNumber);
        Assert.Equal(0x80000000u, rtp.Timestamp);
        Assert.Equal(100, rtp.PayloadType);
        Assert.True(rtp.Marker);
        Assert.Equal(new byte[] { 9, 8, 7, 6 }, rtp.Payload.ToArray());
        Assert.True(rtp.TryGetExtension(TransportCcId, out ReadOnlySpan<byte> twcc));
        Assert.Equal(new byte[] { 0, 7 }, twcc.ToArray());

        RtpPacketRewriter.SetMarker(packet, false);
        RtpPacketRewriter.SetPayloadType(packet, 127);
        Assert.True(RtpPacket.TryRead(packet, out rtp));
        Assert.False(rtp.Marker);
        Assert.Equal(127, rtp.PayloadType);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Transport_sequence_and_abs_send_time_are_rewritten_in_place(bool twoByte)
    {
        byte[] packet = BuildPacket(twoByte);
        Assert.True(RtpPacketRewriter.TryGetExtension(packet, TransportCcId, out Span<byte> twcc));
        Assert.True(RtpExtensionValues.TryWriteTransportSequence(twcc, 0xBEEF));
        Assert.True(RtpPacketRewriter.TryGetExtension(packet, AbsSendTimeId, out Span<byte> ast));
        Assert.True(RtpExtensionValues.TryWriteAbsSendTime(ast, 0xABCDEF));

        Assert.True(RtpPacket.TryRead(packet, out RtpPacket rtp));
        Assert.True(rtp.TryGetExtension(TransportCcId, out ReadOnlySpan<byte> value));
        Assert.True(RtpExtensionValues.TryReadTransportSequence(value, out ushort seq));
        Assert.Equal(0xBEEF, seq);
        Assert.True(rtp.TryGetExtension(AbsSendTimeId, out value));
        Assert.Equal(0xABCDEFu, RtpExtensionValues.ReadAbsSendTime(value));
        Assert.Equal(new byte[] { 9, 8, 7, 6 }, rtp.Payload.ToArray());
    }

    [Fact]
    public void Setting_an_extension_value_of_another_length_is_refused()
    {
        byte[] packet = BuildPacket();
        byte[] before = (byte[])packet.Clone();
        Assert.False(RtpPacketRewriter.TrySetExtension(packet, TransportCcId, new byte[] { 1, 2, 3 }));
        Assert.False(RtpPacketRewriter.TrySetExtension(packet, 9, new byte[] { 1, 2 }));
        Assert.Equal(before, packet);
        Assert.True(RtpPacketRewriter.TrySetExtension(packet, TransportCcId, new byte[] { 1, 2 }));
        Assert.NotEqual(before, packet);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_extension_can_be_renumbered_and_blanked(bool twoByte)
    {
        byte[] packet = BuildPacket(twoByte);
        Assert.True(RtpPacketRewriter.TryRenumberExtension(packet, AbsSendTimeId, 7));
        Assert.True(RtpPacket.TryRead(packet, out RtpPacket rtp));
        Assert.False(rtp.TryGetExtension(AbsSendTimeId, out _));
        Assert.True(rtp.TryGetExtension(7, out ReadOnlySpan<byte> moved));
        Assert.Equal(new byte[] { 0x11, 0x22, 0x33 }, moved.ToArray());

        Assert.True(RtpPacketRewriter.TryBlankExtension(packet, 7));
        Assert.True(RtpPacket.TryRead(packet, out rtp));
        Assert.False(rtp.TryGetExtension(7, out _));
        Assert.True(rtp.TryGetExtension(TransportCcId, out ReadOnlySpan<byte> twcc));
        Assert.Equal(new byte[] { 0, 7 }, twcc.ToArray());
    }

    [Theory]
    [InlineData(0L, 0u)]
    [InlineData(1_000_000L, 1u << 18)]
    [InlineData(64_000_000L, 0u)]
    [InlineData(500_000L, 1u << 17)]
    public void Abs_send_time_is_6_18_fixed_point_seconds_modulo_64(long micros, uint expected)
    {
        Assert.Equal(expected, RtpExtensionValues.AbsSendTimeFromMicroseconds(micros));
    }

    private static byte[] WithTailroom(byte[] packet, out int length)
    {
        length = packet.Length;
        var buffer = new byte[packet.Length + 64];
        packet.CopyTo(buffer, 0);
        return buffer;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Writing_an_extension_the_packet_has_with_that_length_changes_it_in_place(bool twoByte)
    {
        var buffer = WithTailroom(BuildPacket(twoByte), out int length);

        Assert.True(RtpPacketRewriter.TryWriteExtension(buffer, length, TransportCcId, [0xAB, 0xCD], out int written));

        Assert.Equal(length, written);
        Assert.True(RtpPacket.TryRead(buffer.AsSpan(0, written), out var rtp));
        Assert.True(rtp.TryGetExtension(TransportCcId, out var value));
        Assert.Equal(new byte[] { 0xAB, 0xCD }, value.ToArray());
        Assert.Equal(new byte[] { 9, 8, 7, 6 }, rtp.Payload.ToArray());
    }

    [Fact]
    public void Writing_an_extension_into_a_packet_without_any_adds_a_block_and_keeps_payload_and_padding()
    {
        var writer = new RtpPacketWriter
        {
            PayloadType = 111,
            SequenceNumber = 5,
            Timestamp = 6,
            Ssrc = 7,
            Payload = new byte[] { 1, 2, 3, 4, 5 },
            PaddingSize = 3,
        };
        var packet = new byte[writer.GetSize()];
        Assert.True(writer.TryWrite(packet, out _));
        var buffer = WithTailroom(packet, out int length);

        Assert.True(RtpPacketRewriter.TryWriteExtension(buffer, length, 3, [0x01, 0x02], out int written));

        Assert.Equal(length + 8, written); // the block header and one word of elements
        Assert.True(RtpPacket.TryRead(buffer.AsSpan(0, written), out var rtp));
        Assert.Equal(RtpHeaderExtensionProfile.OneByte, rtp.ExtensionProfile);
        Assert.True(rtp.TryGetExtension(3, out var value));
        Assert.Equal(new byte[] { 0x01, 0x02 }, value.ToArray());
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, rtp.Payload.ToArray());
        Assert.Equal(3, rtp.PaddingSize);
        Assert.Equal((ushort)5, rtp.SequenceNumber);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Writing_an_extension_under_an_id_another_one_uses_replaces_that_one_and_keeps_the_rest(bool twoByte)
    {
        // The publisher put abs-send-time (3 bytes) under the id the viewer gave the transport-wide number.
        var buffer = WithTailroom(BuildPacket(twoByte), out int length);

        Assert.True(RtpPacketRewriter.TryWriteExtension(buffer, length, AbsSendTimeId, [0x00, 0x09], out int written));

        Assert.True(RtpPacket.TryRead(buffer.AsSpan(0, written), out var rtp));
        Assert.Equal(twoByte, RtpHeaderExtensionProfile.IsTwoByte(rtp.ExtensionProfile));
        Assert.True(rtp.TryGetExtension(AbsSendTimeId, out var value));
        Assert.Equal(new byte[] { 0x00, 0x09 }, value.ToArray());
        Assert.True(rtp.TryGetExtension(TransportCcId, out var other));
        Assert.Equal(new byte[] { 0, 7 }, other.ToArray());
        Assert.Equal(new byte[] { 9, 8, 7, 6 }, rtp.Payload.ToArray());
    }

    [Fact]
    public void Writing_an_extension_is_refused_without_room_or_on_a_malformed_packet()
    {
        var packet = BuildPacket();
        Assert.False(RtpPacketRewriter.TryWriteExtension(packet, packet.Length, 9, [1, 2], out int written));
        Assert.Equal(packet.Length, written);
        Assert.False(RtpPacketRewriter.TryWriteExtension(new byte[64], 8, 9, [1, 2], out _));
    }
}
