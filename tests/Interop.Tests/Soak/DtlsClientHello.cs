using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MobZ.Interop.Tests.Soak;

/// <summary>
/// Just enough of a DTLS 1.2 client (RFC 6347) to make a server start a handshake: a ClientHello offering what a
/// browser offers for DTLS-SRTP (ECDHE-ECDSA, P-256, use_srtp, extended master secret), and readers for the server's
/// HelloVerifyRequest cookie and its ServerHello. The soak's half-open peers stop after that.
/// </summary>
public static class DtlsClientHello
{
    private const byte Handshake = 22;
    private const byte ClientHelloType = 1,
        ServerHelloType = 2,
        HelloVerifyRequestType = 3;

    public static byte[] Build(ushort messageSequence, ulong recordSequence, ReadOnlySpan<byte> cookie)
    {
        var body = new List<byte> { 0xFE, 0xFD }; // DTLS 1.2
        body.AddRange(RandomNumberGenerator.GetBytes(32));
        body.Add(0); // no session id
        body.Add((byte)cookie.Length);
        body.AddRange(cookie.ToArray());
        // ECDHE-ECDSA with AES-GCM and AES-CBC, and the empty renegotiation_info SCSV (RFC 5746), without which the
        // server refuses the hello (handshake_failure), as it should.
        byte[] suites = [0xC0, 0x2B, 0xC0, 0x2C, 0xC0, 0x23, 0xC0, 0x09, 0xC0, 0x0A, 0x00, 0xFF];
        body.AddRange([0, (byte)suites.Length, .. suites]);
        body.AddRange([1, 0]); // compression: null
        byte[] extensions =
        [
            0x00,
            0x0A,
            0x00,
            0x04,
            0x00,
            0x02,
            0x00,
            0x17, // supported_groups: secp256r1
            0x00,
            0x0B,
            0x00,
            0x02,
            0x01,
            0x00, // ec_point_formats: uncompressed
            0x00,
            0x0D,
            0x00,
            0x04,
            0x00,
            0x02,
            0x04,
            0x03, // signature_algorithms: ecdsa_secp256r1_sha256
            0x00,
            0x0E,
            0x00,
            0x07,
            0x00,
            0x04,
            0x00,
            0x07,
            0x00,
            0x01,
            0x00, // use_srtp: AEAD_AES_128_GCM, AES128_CM_HMAC_SHA1_80
            0x00,
            0x17,
            0x00,
            0x00, // extended_master_secret
        ];
        body.AddRange([(byte)(extensions.Length >> 8), (byte)extensions.Length, .. extensions]);

        var datagram = new byte[13 + 12 + body.Count];
        var span = datagram.AsSpan();
        span[0] = Handshake;
        span[1] = 0xFE;
        span[2] = 0xFD;
        BinaryPrimitives.WriteUInt16BigEndian(span[3..], 0); // epoch
        WriteUInt48(span[5..], recordSequence);
        BinaryPrimitives.WriteUInt16BigEndian(span[11..], (ushort)(12 + body.Count));
        span[13] = ClientHelloType;
        WriteUInt24(span[14..], body.Count);
        BinaryPrimitives.WriteUInt16BigEndian(span[17..], messageSequence);
        WriteUInt24(span[19..], 0); // fragment offset
        WriteUInt24(span[22..], body.Count); // fragment length
        body.CopyTo(datagram, 25);
        return datagram;
    }

    /// <summary>The cookie of a HelloVerifyRequest datagram; null for anything else.</summary>
    public static byte[]? CookieOf(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < 25 + 3 || datagram[0] != Handshake || datagram[13] != HelloVerifyRequestType)
            return null;
        int length = datagram[25 + 2];
        return datagram.Length < 28 + length ? null : datagram.Slice(28, length).ToArray();
    }

    /// <summary>Whether the datagram's first record is a ServerHello (the start of the server's expensive
    /// flight).</summary>
    public static bool IsServerHello(ReadOnlySpan<byte> datagram) =>
        datagram.Length > 13 && datagram[0] == Handshake && datagram[13] == ServerHelloType;

    private static void WriteUInt24(Span<byte> span, int value)
    {
        span[0] = (byte)(value >> 16);
        span[1] = (byte)(value >> 8);
        span[2] = (byte)value;
    }

    private static void WriteUInt48(Span<byte> span, ulong value)
    {
        for (int i = 0; i < 6; i++)
            span[i] = (byte)(value >> (8 * (5 - i)));
    }
}
