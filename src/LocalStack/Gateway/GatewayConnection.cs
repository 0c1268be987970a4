using System.Net.WebSockets;
using System.Text.Unicode;
using MobZ.Signaling;

namespace MobZ.LocalStack.Gateway;

/// <summary>
/// One client connection of a mounted WebSocket API. It exists from the moment the upgrade request arrives
/// (so $connect has an id), but is writable only once $connect returned 2xx and the upgrade was accepted:
/// before that, and after it closed, every write is <see cref="SendStatus.Gone"/> — what AWS answers with 410.
/// </summary>
public sealed class GatewayConnection
{
    private const int Connecting = 0, Open = 1, Closed = 2;

    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _aborted = new();
    private int _state = Connecting;
    private long _lastActiveTicks;
    private WebSocket? _socket;

    public GatewayConnection(string id, WebSocketApi api, DateTimeOffset connectedAt, string sourceIp, string? userAgent, string host)
    {
        Id = id;
        Api = api;
        ConnectedAt = connectedAt;
        SourceIp = sourceIp;
        UserAgent = userAgent;
        Host = host;
        _lastActiveTicks = connectedAt.UtcTicks;
    }

    public string Id { get; }
    public WebSocketApi Api { get; }
    public DateTimeOffset ConnectedAt { get; }
    public string SourceIp { get; }
    public string? UserAgent { get; }
    /// <summary>The Host the client connected to; it is the event's domainName.</summary>
    public string Host { get; }
    public DateTimeOffset LastActiveAt => new(Interlocked.Read(ref _lastActiveTicks), TimeSpan.Zero);
    public bool IsOpen => Volatile.Read(ref _state) == Open;
    /// <summary>Cancelled when the connection must stop at once (close handshake timed out, host stopping).</summary>
    public CancellationToken Aborted => _aborted.Token;

    /// <summary>Set when the gateway (not the client) decided to close: DELETE @connections, oversize frame, idle.</summary>
    public (WebSocketCloseStatus Status, string Reason)? ServerClose { get; private set; }

    public void Touch(DateTimeOffset now) => Interlocked.Exchange(ref _lastActiveTicks, now.UtcTicks);

    internal void MarkOpen(WebSocket socket)
    {
        _socket = socket;
        Interlocked.CompareExchange(ref _state, Open, Connecting);
    }

    internal void MarkClosed() => Volatile.Write(ref _state, Closed);

    /// <summary>Sends one whole message: text when it is valid UTF-8 (as API Gateway does for JSON), else binary.</summary>
    public async Task<SendStatus> SendAsync(ReadOnlyMemory<byte> payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (payload.Length > IConnectionSender.MaxPayloadBytes)
            return SendStatus.TooLarge;
        if (!IsOpen || _socket is not { } socket)
            return SendStatus.Gone;
        var type = Utf8.IsValid(payload.Span) ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
        try
        {
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return SendStatus.Gone;
        }
        try
        {
            if (!IsOpen || socket.State != WebSocketState.Open)
                return SendStatus.Gone;
            await socket.SendAsync(payload, type, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            Touch(now);
            return SendStatus.Sent;
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException)
        {
            return SendStatus.Gone;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Starts a server-side close: sends the close frame now; the receive loop sees the client's answer and
    /// delivers $disconnect. If the client never answers, the connection is aborted after <paramref name="handshakeTimeout"/>.
    /// </summary>
    /// <returns>false when the connection was not open (the caller answers 410).</returns>
    public async Task<bool> CloseAsync(WebSocketCloseStatus status, string reason, TimeSpan handshakeTimeout)
    {
        if (Interlocked.CompareExchange(ref _state, Closed, Open) != Open || _socket is not { } socket)
            return false;
        ServerClose = (status, reason);
        _aborted.CancelAfter(handshakeTimeout);
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseOutputAsync(status, reason, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException)
        {
            _aborted.Cancel();
        }
        finally
        {
            _sendLock.Release();
        }
        return true;
    }

    internal void Abort() => _aborted.Cancel();
}
