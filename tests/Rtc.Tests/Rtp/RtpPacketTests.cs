using MobZ.Rtc.Rtp;

namespace MobZ.Rtc.Tests.Rtp;

public class RtpPacketTests
{
    // V=2 P=1 X=1 CC=2 | M=1 PT=96 | seq 0x1234 | ts 0xDEADBEEF | ssrc 0x01020304 | csrc 0xA, 0xB
    // extension 0xBEDE len=2 words: id1 len1 [0x01], id3 len3 [0xAA 0xBB 0xCC], pad, pad
    // payload 01 02 03 | padding 00 00 03
    private static readonly byte[] Sample = Convert.FromHexString(
        "B2E0123 4DEADBEEF01020304 0000000A0000000B BEDE0002 1001 32AABBCC 0000 010203 000003".Replace(" ", "")
    );

    [Fact]
    public void Reads_every_field_of_a_packet_with_csrcs_extension_and_padding()
    {
        Assert.True(RtpPacket.TryRead(Sample, out RtpPacket rtp));
        Assert.Equal(2, rtp.Version);
        Assert.True(rtp.HasPadding);
        Assert.True(rtp.HasExtension);
        Assert.Equal(2, rtp.CsrcCount);
        Assert.True(rtp.Marker);
        Assert.Equal(96, rtp.PayloadType);
        Assert.Equal(0x1234, rtp.SequenceNumber);
        Assert.Equal(0xDEADBEEFu, rtp.Timestamp);
        Assert.Equal(0x01020304u, rtp.Ssrc);
        Assert.Equal(0xAu, rtp.GetCsrc(0));
        Assert.Equal(0xBu, rtp.GetCsrc(1));
        Assert.Equal(RtpHeaderExtensionProfile.OneByte, rtp.ExtensionProfile);
        Assert.Equal(32, rtp.HeaderSize);
        Assert.Equal(3, rtp.PaddingSize);
        Assert.Equal(new byte[] { 1, 2, 3 }, rtp.Payload.ToArray());
    }

    [Fact]
    public void One_byte_extensions_are_found_by_id_and_padding_bytes_are_skipped()
    {
        Assert.True(RtpPacket.TryRead(Sample, out RtpPacket rtp));
        Assert.True(rtp.TryGetExtension(1, out ReadOnlySpan<byte> one));
        Assert.Equal(new byte[] { 0x01 }, one.ToArray());
        Assert.True(rtp.TryGetExtension(3, out ReadOnlySpan<byte> three));
        Assert.Equal(new byte[] { 0xAA, 0xBB, 0xCC }, three.ToArray());
        Assert.False(rtp.TryGetExtension(2, out _));

        var ids = new List<int>();
        foreach (RtpHeaderExtension element in rtp.Extensions)
        {
            ids.Add(element.Id);
        }

        Assert.Equal(new[] { 1, 3 }, ids);
    }

    [Fact]
    public void Two_byte_extensions_allow_large_ids_and_empty_values()
    {
        byte[] packet = Convert.FromHexString(
            "90 6F 0001 00000001 00000002 1000 0002 2000 C803 010203 00 FF".Replace(" ", "")
        );
        Assert.True(RtpPacket.TryRead(packet, out RtpPacket rtp));
        Assert.True(rtp.TryGetExtension(0x20, out ReadOnlySpan<byte> empty));
        Assert.True(empty.IsEmpty);
        Assert.True(rtp.TryGetExtension(200, out ReadOnlySpan<byte> value));
        Assert.Equal(new byte[] { 1, 2, 3 }, value.ToArray());
        Assert.Equal(new byte[] { 0xFF }, rtp.Payload.ToArray());
    }

    [Fact]
    public void One_byte_id_15_stops_the_walk()
    {
        byte[] packet = Convert.FromHexString("90000001000000010000000 2BEDE0001 10 01 F0 22".Replace(" ", ""));
        Assert.True(RtpPacket.TryRead(packet, out RtpPacket rtp));
        Assert.True(rtp.TryGetExtension(1, out _));
        Assert.False(rtp.TryGetExtension(2, out _));
    }

    [Fact]
    public void An_unknown_extension_profile_yields_no_elements()
    {
        byte[] packet = Convert.FromHexString("9000000100000001000000021234000111223344".Replace(" ", ""));
        Assert.True(RtpPacket.TryRead(packet, out RtpPacket rtp));
        Assert.Equal(0x1234, rtp.ExtensionProfile);
        Assert.False(rtp.Extensions.MoveNext());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("80000001000000010000", "shorter than the fixed header")]
    [InlineData("40000001000000010000000201", "version 1")]
    [InlineData("82000001000000010000000200000003", "two CSRCs declared, one present")]
    [InlineData("9000000100000001000000 02BEDE0002 10010000", "extension longer than the packet")]
    [InlineData("A00000010000000100000002 01 00", "padding count zero")]
    [InlineData("A00000010000000100000002 01 05", "padding longer than the payload")]
    public void Malformed_packets_are_rejected(string hex, string because)
    {
        Assert.False(RtpPacket.TryRead(Convert.FromHexString(hex.Replace(" ", "")), out _), because);
    }

    [Fact]
    public void A_packet_with_only_padding_is_valid_and_has_an_empty_payload()
    {
        byte[] packet = Convert.FromHexString("A000000100000001000000020000000000000008");
        Assert.True(RtpPacket.TryRead(packet, out RtpPacket rtp));
        Assert.True(rtp.Payload.IsEmpty);
        Assert.Equal(8, rtp.PaddingSize);
    }
}
