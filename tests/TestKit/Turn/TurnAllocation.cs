using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace MobZ.TestKit.Turn;

/// <summary>
/// A TURN client's first step (RFC 8656 §7.2) against a real TURN server: an Allocate without credentials draws a
/// 401 with the realm and nonce, the second one carries USERNAME, REALM, NONCE and MESSAGE-INTEGRITY under the
/// long-term credential key MD5(username:realm:password). The server's answer says whether it took the credential.
/// </summary>
public static class TurnAllocation
{
    private const ushort AllocateRequest = 0x0003,
        AllocateSuccess = 0x0103;
    private const ushort Username = 0x0006,
        MessageIntegrity = 0x0008,
        ErrorCode = 0x0009,
        Realm = 0x0014,
        Nonce = 0x0015,
        RequestedTransport = 0x0019;
    private const uint MagicCookie = 0x2112A442;

    /// <summary>0 when the server allocated a relay for the credential, else the STUN error code it answered (401, 438,
    /// ...).</summary>
    public static async Task<int> TryAllocateAsync(
        IPEndPoint server,
        string username,
        string password,
        CancellationToken cancellationToken
    )
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var challenge = await ExchangeAsync(
            udp,
            server,
            Build([(RequestedTransport, [17, 0, 0, 0])], key: null),
            cancellationToken
        );
        if (ErrorOf(challenge) != 401)
        {
            throw new InvalidOperationException(
                $"expected a 401 challenge, got type 0x{Type(challenge):x4} error {ErrorOf(challenge)}"
            );
        }

        var realm = Attribute(challenge, Realm) ?? throw new InvalidOperationException("401 without REALM");
        var nonce = Attribute(challenge, Nonce) ?? throw new InvalidOperationException("401 without NONCE");
        var key = MD5.HashData(Encoding.UTF8.GetBytes($"{username}:{Encoding.UTF8.GetString(realm)}:{password}"));
        var request = Build(
            [
                (Username, Encoding.UTF8.GetBytes(username)),
                (Realm, realm),
                (Nonce, nonce),
                (RequestedTransport, [17, 0, 0, 0]),
            ],
            key
        );
        var answer = await ExchangeAsync(udp, server, request, cancellationToken);
        return Type(answer) == AllocateSuccess ? 0 : ErrorOf(answer);
    }

    private static async Task<byte[]> ExchangeAsync(
        UdpClient udp,
        IPEndPoint server,
        byte[] request,
        CancellationToken cancellationToken
    )
    {
        // UDP: the request is sent again until the server's answer with the same transaction id arrives.
        while (true)
        {
            await udp.SendAsync(request, server, cancellationToken);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(TimeSpan.FromMilliseconds(500));
            try
            {
                while (true)
                {
                    var received = (await udp.ReceiveAsync(wait.Token)).Buffer;
                    if (received.Length >= 20 && received.AsSpan(8, 12).SequenceEqual(request.AsSpan(8, 12)))
                        return received;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { }
        }
    }

    private static byte[] Build(IReadOnlyList<(ushort Type, byte[] Value)> attributes, byte[]? key)
    {
        var body = new List<byte>();
        foreach (var (type, value) in attributes)
            AppendAttribute(body, type, value);
        int integrityLength = key is null ? 0 : 24;
        var message = new byte[20 + body.Count + integrityLength];
        BinaryPrimitives.WriteUInt16BigEndian(message, AllocateRequest);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)(body.Count + integrityLength));
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), MagicCookie);
        RandomNumberGenerator.Fill(message.AsSpan(8, 12));
        body.CopyTo(message, 20);
        if (key is not null)
        {
            // The HMAC covers the header (its length already counting this attribute) and every attribute before it.
            int at = 20 + body.Count;
            var mac = HMACSHA1.HashData(key, message.AsSpan(0, at));
            BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(at), MessageIntegrity);
            BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(at + 2), 20);
            mac.CopyTo(message, at + 4);
        }
        return message;
    }

    private static void AppendAttribute(List<byte> body, ushort type, byte[] value)
    {
        body.Add((byte)(type >> 8));
        body.Add((byte)type);
        body.Add((byte)(value.Length >> 8));
        body.Add((byte)value.Length);
        body.AddRange(value);
        while (body.Count % 4 != 0)
            body.Add(0);
    }

    private static ushort Type(byte[] message) => BinaryPrimitives.ReadUInt16BigEndian(message);

    private static int ErrorOf(byte[] message) =>
        Attribute(message, ErrorCode) is { Length: >= 4 } error ? (error[2] & 0x7) * 100 + error[3] : 0;

    private static byte[]? Attribute(byte[] message, ushort wanted)
    {
        int end = Math.Min(message.Length, 20 + BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(2)));
        for (int at = 20; at + 4 <= end; )
        {
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(at));
            int length = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(at + 2));
            if (at + 4 + length > end)
                return null;
            if (type == wanted)
                return message.AsSpan(at + 4, length).ToArray();
            at += 4 + ((length + 3) & ~3);
        }
        return null;
    }
}
