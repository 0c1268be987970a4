using System.Net.WebSockets;
using System.Text.Unicode;
using System.Threading.Channels;
using MobZ.Signaling.Abstractions;

namespace MobZ.LocalStack.Gateway;

/// <summary>
/// One client connection of a mounted WebSocket API. It exists from the moment the upgrade request arrives
/// (so $connect has an id), but is writable only once $connect returned 2xx and the upgrade was accepted:
/// before that, and after it closed, every write is <see cref="SendStatus.Gone"/> — what AWS answers with 410.
/// A post is queued and written by the connection's own writer, so a sender never waits for this client's
/// socket; a client that lets more than <see cref="GatewayOptions.MaxOutboundBytesPerConnection"/> pile up
/// is a slow consumer and is closed with 1008.
/// </summary>
public sealed class GatewayConnection
{
    private const int Connecting = 0,
        Open = 1,
        Closed = 2;

    private readonly Channel<Outbound> _outbound = Channel.CreateUnbounded<Outbound>(
        new UnboundedChannelOptions { SingleReader = true }
    );
    private readonly CancellationTokenSource _aborted = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1); // a WebSocket allows one send at a time
    private readonly GatewayOptions _options;
    private readonly GatewayMetrics _metrics;
    private int _state = Connecting;
    private long _lastActiveTicks;
    private long _outboundBytes;
    private volatile bool _discardQueued;
    private WebSocket? _socket;
    private Task _writer = Task.CompletedTask;

    public GatewayConnection(
        string id,
        WebSocketApi api,
        DateTimeOffset connectedAt,
        string sourceIp,
        string? userAgent,
        string host,
        GatewayOptions options,
        GatewayMetrics metrics
    )
    {
        Id = id;
        Api = api;
        ConnectedAt = connectedAt;
        SourceIp = sourceIp;
        UserAgent = userAgent;
        Host = host;
        _options = options;
        _metrics = metrics;
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

    /// <summary>Bytes posted to this connection and not yet written to its socket.</summary>
    public long OutboundQueuedBytes => Interlocked.Read(ref _outboundBytes);

    /// <summary>Cancelled when the connection must stop at once (close handshake timed out, host stopping).</summary>
    public CancellationToken Aborted => _aborted.Token;

    /// <summary>Set when the gateway (not the client) decided to close: DELETE @connections, oversize frame, idle, slow
    /// consumer.</summary>
    public (WebSocketCloseStatus Status, string Reason)? ServerClose { get; private set; }

    public void Touch(DateTimeOffset now) => Interlocked.Exchange(ref _lastActiveTicks, now.UtcTicks);

    internal void MarkOpen(WebSocket socket)
    {
        _socket = socket;
        if (Interlocked.CompareExchange(ref _state, Open, Connecting) == Connecting)
            _writer = Task.Run(() => WriteLoopAsync(socket));
    }

    internal void MarkClosed()
    {
        Volatile.Write(ref _state, Closed);
        _discardQueued = true;
        _outbound.Writer.TryComplete();
    }

    /// <summary>
    /// Queues one whole message (text when it is valid UTF-8, as API Gateway does for JSON, else binary) and
    /// returns without waiting for the client. Gone once the connection is closed — or closed now, because
    /// this message would take its backlog over the limit.
    /// </summary>
    public Task<SendStatus> SendAsync(
        ReadOnlyMemory<byte> payload,
        DateTimeOffset now,
        CancellationToken cancellationToken
    )
    {
        if (payload.Length > IConnectionSender.MaxPayloadBytes)
            return Task.FromResult(SendStatus.TooLarge);
        if (!IsOpen)
            return Task.FromResult(SendStatus.Gone);
        if (Interlocked.Add(ref _outboundBytes, payload.Length) > _options.MaxOutboundBytesPerConnection)
        {
            Interlocked.Add(ref _outboundBytes, -payload.Length);
            _ = CloseAsSlowConsumerAsync();
            return Task.FromResult(SendStatus.Gone);
        }
        var type = Utf8.IsValid(payload.Span) ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
        // A copy: the caller's buffer is theirs again as soon as this returns.
        if (!_outbound.Writer.TryWrite(new Outbound(payload.ToArray(), type)))
        {
            Interlocked.Add(ref _outboundBytes, -payload.Length);
            return Task.FromResult(SendStatus.Gone);
        }
        _metrics.AddOutbound(payload.Length);
        Touch(now);
        return Task.FromResult(SendStatus.Sent);
    }

    /// <summary>
    /// Starts a server-side close: the close frame goes out after what is already queued; the receive loop sees
    /// the client's answer and delivers $disconnect. If the client never answers, the connection is aborted after
    /// <paramref name="handshakeTimeout"/>.
    /// </summary>
    /// <returns>false when the connection was not open (the caller answers 410).</returns>
    public async Task<bool> CloseAsync(WebSocketCloseStatus status, string reason, TimeSpan handshakeTimeout)
    {
        if (Interlocked.CompareExchange(ref _state, Closed, Open) != Open)
            return false;
        ServerClose = (status, reason);
        _aborted.CancelAfter(handshakeTimeout);
        _outbound.Writer.TryComplete();
        try
        {
            await _writer.WaitAsync(handshakeTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The client does not read even the close frame; the abort above ends it.
        }
        return true;
    }

    /// <summary>
    /// A client that does not read: what it was owed is dropped, the close frame (1008) is attempted, and the
    /// connection is aborted after the close handshake timeout however far its socket is backed up.
    /// </summary>
    private Task CloseAsSlowConsumerAsync()
    {
        if (!IsOpen)
            return Task.CompletedTask;
        _discardQueued = true;
        _metrics.SlowConsumerClosed();
        return CloseAsync(
            WebSocketCloseStatus.PolicyViolation,
            $"Slow consumer: more than {_options.MaxOutboundBytesPerConnection} bytes unread",
            _options.CloseHandshakeTimeout
        );
    }

    private async Task WriteLoopAsync(WebSocket socket)
    {
        var failed = false;
        await foreach (var message in _outbound.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                if (!failed && !_discardQueued && socket.State == WebSocketState.Open)
                {
                    await _sendLock.WaitAsync(_aborted.Token).ConfigureAwait(false);
                    try
                    {
                        await socket
                            .SendAsync(message.Payload, message.Type, endOfMessage: true, _aborted.Token)
                            .ConfigureAwait(false);
                    }
                    finally
                    {
                        _sendLock.Release();
                    }
                }
            }
            catch (Exception ex)
                when (ex is WebSocketException or ObjectDisposedException or IOException or OperationCanceledException)
            {
                failed = true; // the receive loop notices the dead socket and delivers $disconnect
            }
            finally
            {
                Interlocked.Add(ref _outboundBytes, -message.Payload.Length);
                _metrics.AddOutbound(-message.Payload.Length);
            }
        }
        if (failed || ServerClose is not { } close)
            return;
        await SendCloseAsync(socket, close.Status, close.Reason).ConfigureAwait(false);
    }

    /// <summary>The client closed: answer its close frame (nothing queued is sent after it).</summary>
    internal Task AnswerClientCloseAsync(WebSocket socket)
    {
        MarkClosed();
        return socket.State == WebSocketState.CloseReceived
            ? SendCloseAsync(socket, socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null)
            : Task.CompletedTask;
    }

    private async Task SendCloseAsync(WebSocket socket, WebSocketCloseStatus status, string? reason)
    {
        try
        {
            await _sendLock.WaitAsync(_aborted.Token).ConfigureAwait(false);
            try
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    await socket.CloseOutputAsync(status, reason, _aborted.Token).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception ex)
            when (ex is WebSocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            _aborted.Cancel();
        }
    }

    internal void Abort() => _aborted.Cancel();

    private readonly record struct Outbound(byte[] Payload, WebSocketMessageType Type);
}
