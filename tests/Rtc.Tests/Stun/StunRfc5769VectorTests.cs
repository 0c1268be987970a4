using System.Net;
using System.Text;
using MobZ.Rtc.Stun;

namespace MobZ.Rtc.Tests.Stun;

/// <summary>The test vectors of RFC 5769 (short-term credential password "VOkJxbRl1RmTxUk/WvJxBt").</summary>
public class StunRfc5769VectorTests
{
    private static readonly byte[] Password = Encoding.ASCII.GetBytes("VOkJxbRl1RmTxUk/WvJxBt");

    private static readonly byte[] SampleRequest = Convert.FromHexString(
        "000100582112a442b7e7a701bc34d686fa87dfae"
            + "802200105354554e207465737420636c69656e74"
            + "002400046e0001ff"
            + "80290008932ff9b151263b36"
            + "000600096576746a3a68367659202020"
            + "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2"
            + "80280004e57a3bcf"
    );

    private static readonly byte[] SampleIPv4Response = Convert.FromHexString(
        "0101003c2112a442b7e7a701bc34d686fa87dfae"
            + "8022000b7465737420766563746f7220"
            + "002000080001a147e112a643"
            + "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7"
            + "80280004c07d4c96"
    );

    private static readonly byte[] SampleIPv6Response = Convert.FromHexString(
        "010100482112a442b7e7a701bc34d686fa87dfae"
            + "8022000b7465737420766563746f7220"
            + "002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9"
            + "00080014a382954e4be67bf11784c97c8292c275bfe3ed41"
            + "80280004c8fb0b4c"
    );

    [Fact]
    public void Sample_request_parses_and_its_integrity_and_fingerprint_verify()
    {
        Assert.True(StunMessage.TryRead(SampleRequest, out StunMessage message));
        Assert.Equal(StunMessageType.BindingRequest, message.MessageType);
        Assert.Equal(StunClass.Request, message.Class);
        Assert.Equal(StunMessageType.BindingMethod, message.Method);
        Assert.True(message.TryGetUsername(out ReadOnlySpan<byte> username));
        Assert.Equal("evtj:h6vY", Encoding.ASCII.GetString(username));
        Assert.True(message.TryGetPriority(out uint priority));
        Assert.Equal(0x6e0001ffu, priority);
        Assert.True(message.TryGetIceControlled(out ulong tieBreaker));
        Assert.Equal(0x932ff9b151263b36ul, tieBreaker);
        Assert.True(message.VerifyMessageIntegrity(Password));
        Assert.True(message.VerifyFingerprint());
        Assert.False(message.VerifyMessageIntegrity("wrong-password-wrong-pw"u8));
    }

    [Fact]
    public void Sample_ipv4_response_decodes_192_0_2_1_port_32853()
    {
        Assert.True(StunMessage.TryRead(SampleIPv4Response, out StunMessage message));
        Assert.Equal(StunClass.SuccessResponse, message.Class);
        Assert.True(message.TryGetXorMappedAddress(out TransportAddress address));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853), address.ToIPEndPoint());
        Assert.True(message.VerifyMessageIntegrity(Password));
        Assert.True(message.VerifyFingerprint());
    }

    [Fact]
    public void Sample_ipv6_response_decodes_its_xor_mapped_address()
    {
        Assert.True(StunMessage.TryRead(SampleIPv6Response, out StunMessage message));
        Assert.True(message.TryGetXorMappedAddress(out TransportAddress address));
        Assert.Equal(
            new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853),
            address.ToIPEndPoint()
        );
        Assert.True(message.VerifyMessageIntegrity(Password));
        Assert.True(message.VerifyFingerprint());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Writer_reproduces_the_sample_responses_byte_for_byte(bool ipv6)
    {
        byte[] expected = ipv6 ? SampleIPv6Response : SampleIPv4Response;
        var address = TransportAddress.From(
            IPAddress.Parse(ipv6 ? "2001:db8:1234:5678:11:2233:4455:6677" : "192.0.2.1"),
            32853
        );
        byte[] buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingSuccessResponse, expected.AsSpan(8, 12));
        Assert.True(writer.TryAddSoftware("test vector"u8));
        Assert.True(writer.TryAddXorMappedAddress(address));
        Assert.True(writer.TryAddMessageIntegrity(Password));
        Assert.True(writer.TryAddFingerprint());
        // RFC 5769 pads SOFTWARE with a space; we pad with zero, which the MAC and CRC cover, so compare with that byte
        // aligned.
        byte[] actual = writer.Written.ToArray();
        Assert.Equal(expected.Length, actual.Length);
        byte[] expectedWithZeroPad = (byte[])expected.Clone();
        expectedWithZeroPad[20 + 4 + 11] = 0;
        Assert.Equal(expectedWithZeroPad.AsSpan(0, 20 + 16).ToArray(), actual.AsSpan(0, 20 + 16).ToArray());
        Assert.Equal(expected.AsSpan(36, ipv6 ? 24 : 12).ToArray(), actual.AsSpan(36, ipv6 ? 24 : 12).ToArray());
        Assert.True(StunMessage.TryRead(actual, out StunMessage reread));
        Assert.True(reread.VerifyMessageIntegrity(Password));
        Assert.True(reread.VerifyFingerprint());
    }

    [Fact]
    public void Crc32_matches_the_standard_check_value()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(Crc32.Compute("123456789"u8), Crc32.Append(Crc32.Compute("1234"u8), "56789"u8));
    }
}
