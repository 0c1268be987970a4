using System.Buffers.Binary;

namespace MobZ.Rtc.Dtls.Handshake;

/// <summary>
/// The parts of a DTLS ClientHello body we act on (RFC 6347 §4.2.1, RFC 5246 §7.4.1.2):
/// <code>
/// client_version(2) random(32) session_id&lt;0..32&gt; cookie&lt;0..32&gt;
/// cipher_suites&lt;2..2^16-2&gt; compression_methods&lt;1..2^8-1&gt; extensions&lt;0..2^16-1&gt;
/// </code>
/// The spans are slices of the message body, not copies.
/// </summary>
internal readonly ref struct ClientHello
{
    public const int RandomLength = 32;

    private ClientHello(
        ushort version,
        ReadOnlySpan<byte> random,
        ReadOnlySpan<byte> cipherSuites,
        ReadOnlySpan<byte> extensions
    )
    {
        Version = version;
        Random = random;
        CipherSuites = cipherSuites;
        Extensions = extensions;
    }

    public ushort Version { get; }

    public ReadOnlySpan<byte> Random { get; }

    /// <summary>Two bytes per suite.</summary>
    public ReadOnlySpan<byte> CipherSuites { get; }

    /// <summary>The extensions block without its length prefix.</summary>
    public ReadOnlySpan<byte> Extensions { get; }

    public static bool TryRead(ReadOnlySpan<byte> body, out ClientHello hello)
    {
        hello = default;
        if (body.Length < 2 + RandomLength + 1)
            return false;
        ushort version = BinaryPrimitives.ReadUInt16BigEndian(body);
        var random = body.Slice(2, RandomLength);
        int position = 2 + RandomLength;
        if (!TrySkipVector8(body, ref position, 32) || !TrySkipVector8(body, ref position, 255))
            return false; // session_id, cookie
        if (body.Length - position < 2)
            return false;
        int suitesLength = BinaryPrimitives.ReadUInt16BigEndian(body[position..]);
        position += 2;
        if (suitesLength % 2 != 0 || body.Length - position < suitesLength)
            return false;
        var suites = body.Slice(position, suitesLength);
        position += suitesLength;
        if (!TrySkipVector8(body, ref position, 255))
            return false; // compression_methods
        var extensions = ReadOnlySpan<byte>.Empty;
        if (position < body.Length)
        {
            if (body.Length - position < 2)
                return false;
            int extensionsLength = BinaryPrimitives.ReadUInt16BigEndian(body[position..]);
            position += 2;
            if (body.Length - position != extensionsLength)
                return false;
            extensions = body.Slice(position, extensionsLength);
        }
        hello = new ClientHello(version, random, suites, extensions);
        return true;
    }

    public bool OffersSuite(ushort suite)
    {
        for (int i = 0; i + 1 < CipherSuites.Length; i += 2)
        {
            if (BinaryPrimitives.ReadUInt16BigEndian(CipherSuites[i..]) == suite)
                return true;
        }
        return false;
    }

    /// <summary>The body of extension <paramref name="type"/>; false when absent or the block is malformed.</summary>
    public bool TryGetExtension(ushort type, out ReadOnlySpan<byte> data)
    {
        data = default;
        var rest = Extensions;
        while (rest.Length >= 4)
        {
            ushort current = BinaryPrimitives.ReadUInt16BigEndian(rest);
            int length = BinaryPrimitives.ReadUInt16BigEndian(rest[2..]);
            if (rest.Length - 4 < length)
                return false;
            if (current == type)
            {
                data = rest.Slice(4, length);
                return true;
            }
            rest = rest[(4 + length)..];
        }
        return false;
    }

    private static bool TrySkipVector8(ReadOnlySpan<byte> body, ref int position, int max)
    {
        if (position >= body.Length)
            return false;
        int length = body[position];
        if (length > max || body.Length - position - 1 < length)
            return false;
        position += 1 + length;
        return true;
    }
}
