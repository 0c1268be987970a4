using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace MobZ.TestKit.WebSockets;

/// <summary>
/// A WebSocket client that completes the upgrade, can send text frames, and never reads what the server
/// sends: a raw TCP socket with a small receive buffer, so the server's writes back up after a few KB —
/// the slow or hostile reader that must not stall anybody else.
/// </summary>
public sealed class NonReadingWebSocket : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private NonReadingWebSocket(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
    }

    /// <summary>Upgrades <paramref name="url"/> (ws://host:port/path?query); throws unless the server answers
    /// 101.</summary>
    public static async Task<NonReadingWebSocket> ConnectAsync(
        Uri url,
        string? origin = null,
        int receiveBufferBytes = 4096
    )
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp)
        {
            ReceiveBufferSize = receiveBufferBytes,
            NoDelay = true,
        };
        await socket.ConnectAsync(url.Host, url.Port);
        var client = new NonReadingWebSocket(socket);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request =
            $"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            + (origin is null ? "" : $"Origin: {origin}\r\n")
            + "\r\n";
        await client._stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var status = await client.ReadResponseHeadAsync();
        if (!status.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            client.Dispose();
            throw new InvalidOperationException($"upgrade refused: {status}");
        }
        return client;
    }

    /// <summary>Reads the HTTP response head byte by byte, so not one byte of the WebSocket stream after it is
    /// consumed.</summary>
    private async Task<string> ReadResponseHeadAsync()
    {
        var head = new StringBuilder();
        var one = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await _stream.ReadAsync(one, timeout.Token) == 0)
                break;
            head.Append((char)one[0]);
        }
        var text = head.ToString();
        int end = text.IndexOf("\r\n", StringComparison.Ordinal);
        return end < 0 ? text : text[..end];
    }

    /// <summary>Sends one masked text frame (RFC 6455 §5.2), as every client must.</summary>
    public async Task SendTextAsync(string text, CancellationToken cancellationToken = default)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        int headerLength =
            2
            + (
                payload.Length < 126 ? 0
                : payload.Length <= ushort.MaxValue ? 2
                : 8
            )
            + 4;
        var frame = new byte[headerLength + payload.Length];
        frame[0] = 0x81;
        int offset = 2;
        if (payload.Length < 126)
        {
            frame[1] = (byte)(0x80 | payload.Length);
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
            offset = 4;
        }
        else
        {
            frame[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
            offset = 10;
        }
        var mask = RandomNumberGenerator.GetBytes(4);
        mask.CopyTo(frame, offset);
        offset += 4;
        for (int i = 0; i < payload.Length; i++)
            frame[offset + i] = (byte)(payload[i] ^ mask[i & 3]);
        await _stream.WriteAsync(frame, cancellationToken);
    }

    /// <summary>
    /// Starts reading at last, skipping every frame the server had queued, until its close frame: the close
    /// status code, -1 when the connection ended without one (reset or EOF), null when it is still open at
    /// <paramref name="timeout"/>.
    /// </summary>
    public async Task<int?> CloseStatusAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var header = new byte[14];
        var skip = new byte[64 * 1024];
        try
        {
            while (true)
            {
                if (!await ReadExactlyOrEndAsync(header.AsMemory(0, 2), cts.Token))
                    return -1;
                int opcode = header[0] & 0x0F;
                long length = header[1] & 0x7F;
                if (length == 126)
                {
                    if (!await ReadExactlyOrEndAsync(header.AsMemory(2, 2), cts.Token))
                        return -1;
                    length = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2));
                }
                else if (length == 127)
                {
                    if (!await ReadExactlyOrEndAsync(header.AsMemory(2, 8), cts.Token))
                        return -1;
                    length = (long)BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(2));
                }
                if (opcode == 8)
                {
                    var body = new byte[length];
                    if (!await ReadExactlyOrEndAsync(body, cts.Token))
                        return -1;
                    return length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(body) : 1005;
                }
                while (length > 0)
                {
                    int chunk = (int)Math.Min(length, skip.Length);
                    if (!await ReadExactlyOrEndAsync(skip.AsMemory(0, chunk), cts.Token))
                        return -1;
                    length -= chunk;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (IOException)
        {
            return -1;
        }
    }

    private async Task<bool> ReadExactlyOrEndAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.ReadExactlyAsync(buffer, cancellationToken);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }

    /// <summary>
    /// Bytes the server's kernel holds unsent for this connection (tx_queue in /proc/net/tcp): how far the
    /// server is backed up behind this reader; -1 once the server's side is no longer established (it closed or
    /// reset the connection).
    /// </summary>
    public long ServerUnsentBytes()
    {
        // A socket the server dropped has no remote end any more: that counts as dropped, like a missing entry.
        if (_socket.LocalEndPoint is not System.Net.IPEndPoint local)
            return -1;
        if (_socket.RemoteEndPoint is not System.Net.IPEndPoint remote)
            return -1;
        string serverPort = $":{remote.Port:X4}",
            clientPort = $":{local.Port:X4}";
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(file))
                continue;
            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (
                    fields.Length > 4
                    && fields[1].EndsWith(serverPort, StringComparison.Ordinal)
                    && fields[2].EndsWith(clientPort, StringComparison.Ordinal)
                    && fields[3] == "01"
                ) // ESTABLISHED
                {
                    return Convert.ToInt64(fields[4].Split(':')[0], 16);
                }
            }
        }
        return -1;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _socket.Dispose();
    }
}
