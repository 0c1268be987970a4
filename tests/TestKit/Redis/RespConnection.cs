using System.Net.Sockets;
using System.Text;

namespace MobZ.TestKit.Redis;

/// <summary>
/// A minimal RESP2 client for fixture housekeeping (readiness PING, deleting a test's keys) so the fixture
/// needs no Redis client library; product code talks to Redis only through MobZ.State.
/// </summary>
internal sealed class RespConnection : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private RespConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        _reader = new StreamReader(_stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
    }

    public static async Task<RespConnection> OpenAsync(string host, int port, CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            return new RespConnection(client);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command; returns the reply as text (a simple string, bulk string or integer), null for
    /// nil.</summary>
    public async Task<string?> CommandAsync(CancellationToken cancellationToken, params string[] parts)
    {
        var request = new StringBuilder().Append('*').Append(parts.Length).Append("\r\n");
        foreach (var part in parts)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
        }

        await _stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), cancellationToken).ConfigureAwait(false);
        return await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<string?> ReadReplyAsync(CancellationToken cancellationToken)
    {
        var line = await _reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new IOException("Redis closed the connection");
        switch (line[0])
        {
            case '+':
            case ':':
                return line[1..];
            case '-':
                throw new InvalidOperationException("Redis replied with an error: " + line[1..]);
            case '$':
                var length = int.Parse(line.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
                if (length < 0)
                    return null;
                var buffer = new char[length];
                await _reader.ReadBlockAsync(buffer, cancellationToken).ConfigureAwait(false);
                await _reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                return new string(buffer);
            default:
                throw new InvalidOperationException("Unexpected RESP reply: " + line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync().ConfigureAwait(false);
        _client.Dispose();
    }
}
