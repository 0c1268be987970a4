using System.Net;
using MobZ.Rtc.Stun;

namespace MobZ.Rtc.Tests.Stun;

public class StunMessageTests
{
    private static readonly byte[] TransactionId = Convert.FromHexString("0102030405060708090A0B0C");

    [Theory]
    [InlineData(StunMessageType.BindingRequest, StunClass.Request)]
    [InlineData(StunMessageType.BindingIndication, StunClass.Indication)]
    [InlineData(StunMessageType.BindingSuccessResponse, StunClass.SuccessResponse)]
    [InlineData(StunMessageType.BindingErrorResponse, StunClass.ErrorResponse)]
    public void Message_type_splits_into_binding_method_and_class(ushort type, StunClass stunClass)
    {
        Assert.Equal(stunClass, StunMessageType.GetClass(type));
        Assert.Equal(StunMessageType.BindingMethod, StunMessageType.GetMethod(type));
        Assert.Equal(type, StunMessageType.Compose(StunMessageType.BindingMethod, stunClass));
    }

    [Fact]
    public void Method_bits_interleave_around_class_bits()
    {
        // Allocate (0x003) success response is 0x0103; a method using all 12 bits keeps them.
        Assert.Equal(0x0103, StunMessageType.Compose(0x003, StunClass.SuccessResponse));
        Assert.Equal(0xFFF, StunMessageType.GetMethod(StunMessageType.Compose(0xFFF, StunClass.ErrorResponse)));
    }

    [Fact]
    public void Error_code_round_trips_class_and_number()
    {
        byte[] buffer = new byte[128];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingErrorResponse, TransactionId);
        Assert.True(writer.TryAddErrorCode(487, "Role Conflict"u8));
        Assert.True(StunMessage.TryRead(writer.Written, out StunMessage message));
        Assert.True(message.TryGetErrorCode(out int code, out ReadOnlySpan<byte> reason));
        Assert.Equal(487, code);
        Assert.Equal("Role Conflict"u8.ToArray(), reason.ToArray());
    }

    [Theory]
    [InlineData("10.1.2.3", 5000)]
    [InlineData("::1", 65535)]
    [InlineData("fe80::1234:5678", 1)]
    public void Xor_mapped_address_round_trips(string ip, int port)
    {
        byte[] buffer = new byte[128];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingSuccessResponse, TransactionId);
        var address = TransportAddress.From(IPAddress.Parse(ip), (ushort)port);
        Assert.True(writer.TryAddXorMappedAddress(address));
        Assert.True(StunMessage.TryRead(writer.Written, out StunMessage message));
        Assert.True(message.TryGetXorMappedAddress(out TransportAddress read));
        Assert.Equal(address, read);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(ip), port), read.ToIPEndPoint());
    }

    [Fact]
    public void Attributes_after_message_integrity_other_than_fingerprint_are_ignored()
    {
        byte[] buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, TransactionId);
        writer.TryAddUsername("a:b"u8);
        writer.TryAddMessageIntegrity("key"u8);
        writer.TryAddPriority(5);
        writer.TryAddFingerprint();
        Assert.True(StunMessage.TryRead(writer.Written, out StunMessage message));
        Assert.False(message.TryGetPriority(out _));
        Assert.True(message.HasAttribute(StunAttributeType.Fingerprint));
        Assert.True(message.VerifyFingerprint());
    }

    [Fact]
    public void A_changed_byte_breaks_integrity_and_fingerprint()
    {
        byte[] buffer = new byte[256];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, TransactionId);
        writer.TryAddUsername("abcd:efgh"u8);
        writer.TryAddMessageIntegrity("password"u8);
        writer.TryAddFingerprint();
        byte[] message = writer.Written.ToArray();
        message[25] ^= 0x01;
        Assert.True(StunMessage.TryRead(message, out StunMessage tampered));
        Assert.False(tampered.VerifyMessageIntegrity("password"u8));
        Assert.False(tampered.VerifyFingerprint());
    }

    [Fact]
    public void Writer_refuses_attributes_that_do_not_fit_and_keeps_the_message_valid()
    {
        byte[] buffer = new byte[32];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, TransactionId);
        Assert.True(writer.TryAddPriority(1));
        Assert.False(writer.TryAddUsername(new byte[20]));
        Assert.False(writer.TryAddMessageIntegrity("k"u8));
        Assert.Equal(28, writer.Length);
        Assert.True(StunMessage.TryRead(writer.Written, out _));
    }

    [Theory]
    [InlineData("000100002112a442010203040506070809", "shorter than the header")]
    [InlineData("0001000021000000010203040506070809 0A0B0C", "wrong magic cookie")]
    [InlineData("C001000021 12a442 0102030405060708090A0B0C", "top bits set")]
    [InlineData("000100042112a4420102030405060708090A0B0C", "length says 4, nothing follows")]
    [InlineData("000100082112a4420102030405060708090A0B0C00060008616263", "attribute overruns")]
    [InlineData("000100082112a4420102030405060708090A0B0C8028000300000000", "fingerprint of length 3")]
    [InlineData("000100022112a4420102030405060708090A0B0C0000", "length not a multiple of 4")]
    public void Malformed_messages_are_rejected(string hex, string because)
    {
        Assert.False(StunMessage.TryRead(Convert.FromHexString(hex.Replace(" ", "")), out _), because);
    }
}
