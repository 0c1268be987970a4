using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MobZ.Rtc.Stun;

namespace MobZ.Interop.Tests.Soak;

/// <summary>
/// A viewer that goes exactly as far as costs the server most and then stops: it joins a room over a real WebSocket,
/// answers the Munit's offer, passes ICE (a nominating binding request with the right credentials), starts DTLS with a
/// ClientHello (and again with the server's cookie) and, once the server has answered with its ServerHello flight —
/// key exchange and signature done — never sends another byte. Its sockets stay open until dispose.
/// </summary>
public sealed class HalfOpenPeer : IAsyncDisposable
{
    /// <summary>How long the peer waits for the server's DTLS answer (the server sends it at once or not at
    /// all).</summary>
    private static readonly TimeSpan DtlsAnswerTimeout = TimeSpan.FromSeconds(5);

    private readonly ClientWebSocket _ws = new();
    private readonly Socket _udp = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private Task _draining = Task.CompletedTask;

    /// <summary>Elapsed time of the shared clock when the server's ServerHello arrived; null when none came.</summary>
    public TimeSpan? ServerHelloAt { get; private set; }

    /// <summary>Runs the peer up to the ServerHello; throws when signaling or ICE fails or <paramref name="timeout"/>
    /// passes first.</summary>
    public static async Task<HalfOpenPeer> OpenAsync(Uri roomsUrl, string room, Stopwatch clock, TimeSpan timeout)
    {
        var peer = new HalfOpenPeer();
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            await peer.RunAsync(roomsUrl, room, clock, cts.Token);
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    private async Task RunAsync(Uri roomsUrl, string room, Stopwatch clock, CancellationToken ct)
    {
        // Signaling: Join as viewer; the JoinAck carries the Munit's offer for the room's live publisher.
        await _ws.ConnectAsync(roomsUrl, ct);
        await SendAsync(
            new
            {
                action = "Join",
                requestId = "j",
                roomId = room,
                roomKind = "m2m",
                role = "viewer",
            },
            ct
        );
        JsonElement ack;
        do ack = await ReceiveAsync(ct);
        while (ack.GetProperty("action").GetString() != "JoinAck");
        var publisher = ack.GetProperty("publishers").EnumerateArray().First(p => p.TryGetProperty("offerSdp", out _));
        string stationId = publisher.GetProperty("stationId").GetString()!;
        var offer = publisher.GetProperty("offerSdp").GetString()!;
        string localUfrag = RandomToken(8),
            localPwd = RandomToken(24);
        await SendAsync(
            new
            {
                action = "Answer",
                stationId,
                sdp = AnswerFor(offer, localUfrag, localPwd),
            },
            ct
        );
        _draining = DrainAsync();

        // ICE: one nominating check to the Munit's UDP candidate; ICE-lite answers and the peer is "ICE connected".
        var (remoteUfrag, remotePwd, munit) = IceOf(offer);
        _udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var buffer = new byte[2048];
        var transaction = RandomNumberGenerator.GetBytes(12);
        // The Answer reaches the Munit over the bus after it was sent, so the first checks may find no peer yet:
        // retransmit.
        await ExchangeAsync(
            BindingRequest(transaction, $"{remoteUfrag}:{localUfrag}", remotePwd),
            munit,
            buffer,
            b => b.Length >= 20 && BinaryPrimitives.ReadUInt16BigEndian(b) == StunMessageType.BindingSuccessResponse,
            ct
        );

        // DTLS: ClientHello, then the same with the server's cookie (RFC 6347 §4.2.1), until the ServerHello flight.
        // A server that declines to start (a limit on handshakes in progress) is not a failure of this peer.
        using var dtls = CancellationTokenSource.CreateLinkedTokenSource(ct);
        dtls.CancelAfter(DtlsAnswerTimeout);
        ct = dtls.Token;
        try
        {
            byte[]? cookie = null;
            await ExchangeAsync(
                DtlsClientHello.Build(messageSequence: 0, recordSequence: 0, cookie: []),
                munit,
                buffer,
                b => (cookie = DtlsClientHello.CookieOf(b)) is not null || DtlsClientHello.IsServerHello(b),
                ct
            );
            if (cookie is not null)
            {
                await ExchangeAsync(
                    DtlsClientHello.Build(messageSequence: 1, recordSequence: 1, cookie),
                    munit,
                    buffer,
                    DtlsClientHello.IsServerHello,
                    ct
                );
            }

            ServerHelloAt = clock.Elapsed;
        }
        catch (OperationCanceledException)
        {
            // No ServerHello within the time given: ServerHelloAt stays null.
        }
    }

    /// <summary>Sends <paramref name="request"/> every 250 ms (as ICE and DTLS clients retransmit) until a datagram
    /// matches.</summary>
    private async Task ExchangeAsync(
        byte[] request,
        IPEndPoint to,
        byte[] buffer,
        MatchDatagram match,
        CancellationToken ct
    )
    {
        while (true)
        {
            await _udp.SendToAsync(request, to, ct);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
            attempt.CancelAfter(TimeSpan.FromMilliseconds(250));
            try
            {
                while (true)
                {
                    var result = await _udp.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), attempt.Token);
                    if (match(buffer.AsSpan(0, result.ReceivedBytes)))
                        return;
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // No answer yet: send again.
            }
        }
    }

    private delegate bool MatchDatagram(ReadOnlySpan<byte> datagram);

    private static byte[] BindingRequest(byte[] transaction, string username, string password)
    {
        var buffer = new byte[512];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, transaction);
        if (
            !(
                writer.TryAddUsername(Encoding.UTF8.GetBytes(username))
                && writer.TryAddPriority(0x6e001eff)
                && writer.TryAddIceControlling(BinaryPrimitives.ReadUInt64BigEndian(RandomNumberGenerator.GetBytes(8)))
                && writer.TryAddUseCandidate()
                && writer.TryAddMessageIntegrity(Encoding.UTF8.GetBytes(password))
                && writer.TryAddFingerprint()
            )
        )
        {
            throw new InvalidOperationException("binding request does not fit");
        }

        return writer.Written.ToArray();
    }

    /// <summary>The Munit's ICE credentials and first UDP host candidate.</summary>
    private static (string Ufrag, string Pwd, IPEndPoint Candidate) IceOf(string sdp)
    {
        string? ufrag = null,
            pwd = null;
        IPEndPoint? candidate = null;
        foreach (var line in sdp.Split("\r\n"))
        {
            if (line.StartsWith("a=ice-ufrag:", StringComparison.Ordinal))
            {
                ufrag ??= line[12..];
            }
            else if (line.StartsWith("a=ice-pwd:", StringComparison.Ordinal))
            {
                pwd ??= line[10..];
            }
            else if (line.StartsWith("a=candidate:", StringComparison.Ordinal) && candidate is null)
            {
                // candidate:<foundation> <component> <transport> <priority> <address> <port> typ host
                var f = line.Split(' ');
                if (
                    f[2].Equals("udp", StringComparison.OrdinalIgnoreCase)
                    && IPAddress.TryParse(f[4], out var address)
                    && address.AddressFamily == AddressFamily.InterNetwork
                )
                {
                    candidate = new IPEndPoint(
                        address,
                        int.Parse(f[5], System.Globalization.CultureInfo.InvariantCulture)
                    );
                }
            }
        }
        return (
            ufrag ?? throw new InvalidOperationException("offer without ice-ufrag"),
            pwd ?? throw new InvalidOperationException("offer without ice-pwd"),
            candidate ?? throw new InvalidOperationException("offer without an IPv4 UDP candidate")
        );
    }

    /// <summary>A recvonly answer to every section of the offer, with our ICE credentials and a made-up certificate
    /// fingerprint.</summary>
    private static string AnswerFor(string offer, string ufrag, string pwd)
    {
        var fingerprint = string.Join(
            ':',
            RandomNumberGenerator
                .GetBytes(32)
                .Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture))
        );
        var sections = offer.Split("\r\nm=").Skip(1).Select(s => "m=" + s).ToList();
        var mids = new List<string>();
        var answer = new StringBuilder("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
        var body = new StringBuilder();
        foreach (var section in sections)
        {
            var lines = section.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            string mid = lines.First(l => l.StartsWith("a=mid:", StringComparison.Ordinal))[6..];
            mids.Add(mid);
            body.Append(lines[0])
                .Append("\r\nc=IN IP4 0.0.0.0\r\n")
                .Append($"a=mid:{mid}\r\na=recvonly\r\na=rtcp-mux\r\na=ice-ufrag:{ufrag}\r\na=ice-pwd:{pwd}\r\n")
                .Append($"a=fingerprint:sha-256 {fingerprint}\r\na=setup:active\r\n");
            foreach (
                var line in lines.Where(l =>
                    l.StartsWith("a=rtpmap:", StringComparison.Ordinal)
                    || l.StartsWith("a=fmtp:", StringComparison.Ordinal)
                    || l.StartsWith("a=rtcp-fb:", StringComparison.Ordinal)
                )
            )
            {
                body.Append(line).Append("\r\n");
            }
        }
        answer.Append("a=group:BUNDLE ").Append(string.Join(' ', mids)).Append("\r\n").Append(body);
        return answer.ToString();
    }

    private static string RandomToken(int length) =>
        Convert.ToHexString(RandomNumberGenerator.GetBytes(length))[..length].ToLowerInvariant();

    private Task SendAsync(object message, CancellationToken ct) =>
        _ws.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, true, ct);

    private async Task<JsonElement> ReceiveAsync(CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        int length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await _ws.ReceiveAsync(buffer.AsMemory(length), ct);
            if (result.MessageType == WebSocketMessageType.Close)
                throw new InvalidOperationException("the rooms socket closed");
            length += result.Count;
        } while (!result.EndOfMessage);
        using var doc = JsonDocument.Parse(buffer.AsMemory(0, length));
        return doc.RootElement.Clone();
    }

    /// <summary>Reads (and drops) what the server still sends, so this peer is half-open, not a slow reader.</summary>
    private async Task DrainAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var result = await _ws.ReceiveAsync(buffer.AsMemory(), _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                    return;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // Disposed, or the server went away.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _draining;
        _ws.Abort();
        _ws.Dispose();
        _udp.Dispose();
        _stop.Dispose();
    }
}
