using MobZ.Rtc.Rtp;

namespace MobZ.Rtc.Tests.Rtp;

public class RtpHeaderExtensionRewriterTests
{
    // Publisher ids as Chromium assigns them: abs-send-time 2, transport-cc 3, mid 4, rid 10.
    private static byte[] PublisherPacket(byte padding = 0)
    {
        Span<byte> ext = stackalloc byte[32];
        var extensions = new RtpHeaderExtensionWriter(ext);
        extensions.TryAdd(2, new byte[] { 1, 2, 3 });
        extensions.TryAdd(3, new byte[] { 0, 42 });
        extensions.TryAdd(4, "1"u8);
        extensions.TryAdd(10, "h"u8);
        var writer = new RtpPacketWriter
        {
            PayloadType = 96, SequenceNumber = 7, Timestamp = 8, Ssrc = 9, Csrcs = new uint[] { 77 },
            ExtensionProfile = extensions.Profile, ExtensionData = extensions.Written,
            Payload = new byte[] { 0xAA, 0xBB, 0xCC }, PaddingSize = padding,
        };
        byte[] packet = new byte[writer.GetSize()];
        writer.TryWrite(packet, out _);
        return packet;
    }

    private static byte[] Map(params (int From, int To)[] pairs)
    {
        byte[] map = new byte[256];
        foreach ((int from, int to) in pairs)
        {
            map[from] = (byte)to;
        }

        return map;
    }

    private static Dictionary<int, byte[]> Extensions(ReadOnlySpan<byte> packet)
    {
        Assert.True(RtpPacket.TryRead(packet, out RtpPacket rtp));
        var result = new Dictionary<int, byte[]>();
        foreach (RtpHeaderExtension element in rtp.Extensions)
        {
            result[element.Id] = element.Value.ToArray();
        }

        return result;
    }

    [Fact]
    public void Ids_are_translated_unmapped_ones_dropped_and_mid_replaced_with_a_longer_value()
    {
        byte[] source = PublisherPacket(padding: 4);
        byte[] destination = new byte[source.Length + 64];
        byte[] map = Map((2, 5), (3, 6), (4, 1));
        Assert.True(RtpHeaderExtensionRewriter.TryRewrite(source, destination, map, 1, "viewer-7"u8, out int written));

        Dictionary<int, byte[]> extensions = Extensions(destination.AsSpan(0, written));
        Assert.Equal(new[] { 1, 5, 6 }, extensions.Keys.Order());
        Assert.Equal("viewer-7"u8.ToArray(), extensions[1]);
        Assert.Equal(new byte[] { 1, 2, 3 }, extensions[5]);
        Assert.Equal(new byte[] { 0, 42 }, extensions[6]);

        Assert.True(RtpPacket.TryRead(destination.AsSpan(0, written), out RtpPacket rtp));
        Assert.Equal(RtpHeaderExtensionProfile.OneByte, rtp.ExtensionProfile);
        Assert.Equal(new byte[] { 0xAA, 0xBB, 0xCC }, rtp.Payload.ToArray());
        Assert.Equal(4, rtp.PaddingSize);
        Assert.Equal(77u, rtp.GetCsrc(0));
        Assert.Equal(9u, rtp.Ssrc);
    }

    [Fact]
    public void A_missing_set_element_is_added_and_large_ids_switch_to_the_two_byte_form()
    {
        byte[] source = PublisherPacket();
        byte[] destination = new byte[source.Length + 64];
        Assert.True(RtpHeaderExtensionRewriter.TryRewrite(source, destination, Map((3, 20)), 15, "m"u8, out int written));
        Assert.True(RtpPacket.TryRead(destination.AsSpan(0, written), out RtpPacket rtp));
        Assert.True(RtpHeaderExtensionProfile.IsTwoByte(rtp.ExtensionProfile));
        Dictionary<int, byte[]> extensions = Extensions(destination.AsSpan(0, written));
        Assert.Equal(new[] { 15, 20 }, extensions.Keys.Order());
    }

    [Fact]
    public void Dropping_every_element_clears_the_extension_bit()
    {
        byte[] source = PublisherPacket();
        byte[] destination = new byte[source.Length];
        Assert.True(RtpHeaderExtensionRewriter.TryRewrite(source, destination, new byte[256], 0, default, out int written));
        Assert.True(RtpPacket.TryRead(destination.AsSpan(0, written), out RtpPacket rtp));
        Assert.False(rtp.HasExtension);
        Assert.Equal(12 + 4 + 3, written);
        Assert.Equal(new byte[] { 0xAA, 0xBB, 0xCC }, rtp.Payload.ToArray());
    }

    [Fact]
    public void Too_small_a_destination_or_a_short_map_fails()
    {
        byte[] source = PublisherPacket();
        Assert.False(RtpHeaderExtensionRewriter.TryRewrite(source, new byte[10], Map((2, 2)), 0, default, out _));
        Assert.False(RtpHeaderExtensionRewriter.TryRewrite(source, new byte[100], new byte[16], 0, default, out _));
        Assert.False(RtpHeaderExtensionRewriter.TryRewrite(source[..11], new byte[100], Map((2, 2)), 0, default, out _));
    }
}
