using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Stun;

namespace MobZ.Rtc.Transport;

/// <summary>What the ICE-TCP listener hands its frames to: the transport that owns the peers.</summary>
internal interface IIceTcpFrameHandler
{
    /// <summary>Handles one frame; true when it was a binding request with our credentials that passed its
    /// check.</summary>
    bool OnTcpFrame(IceTcpConnection connection, Span<byte> frame);

    /// <summary>A connection was accepted: its deadlines (<see cref="IceTcpListener.CheckTimeouts"/>) need the
    /// timer.</summary>
    void OnTcpAccepted(IceTcpConnection connection);

    /// <summary>The connection is gone: its address must stop routing to any peer.</summary>
    void OnTcpClosed(IceTcpConnection connection);
}

/// <summary>
/// The passive side of ICE over TCP (RFC 6544): one listening socket, an async accept loop (no thread per connection)
/// and the open connections by remote address (marked TCP, so never confused with a UDP remote). Enforces what a
/// connection must do before it reaches any peer — STUN first, a passing binding request within the binding timeout —
/// and closes with a counted reason whatever breaks the rules.
/// </summary>
internal sealed class IceTcpListener : IDisposable
{
    private readonly Socket _socket;
    private readonly IceTcpOptions _options;
    private readonly IIceTcpFrameHandler _handler;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<TransportAddress, IceTcpConnection> _connections = new();
    private volatile bool _disposed;

    /// <param name="udpPort">
    /// the UDP port's number, taken when <see cref="IceTcpOptions.Port"/> is null; when that number is already taken
    /// for TCP, any free port will do (an explicitly configured port that is taken fails instead).
    /// </param>
    public IceTcpListener(
        IPAddress bindAddress,
        int udpPort,
        IceTcpOptions options,
        RtcTransportCounters counters,
        IIceTcpFrameHandler handler,
        ILogger logger
    )
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SendQueueBytes, 4 * IceTcpConnection.MaxSendLength);
        _options = options;
        Counters = counters;
        _handler = handler;
        _logger = logger;
        _socket = new Socket(bindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            Bind(bindAddress, options.Port ?? udpPort, fallBackToAnyPort: options.Port is null);
            _socket.Listen(512);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public RtcTransportCounters Counters { get; }

    public int ConnectionCount => _connections.Count;

    private void Bind(IPAddress address, int port, bool fallBackToAnyPort)
    {
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            _socket.Bind(new IPEndPoint(address, port));
        }
        catch (SocketException e) when (fallBackToAnyPort && e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            _logger.LogWarning(
                "TCP port {Port} (the UDP port's number) is taken; ICE-TCP listens on a free port instead",
                port
            );
            _socket.Bind(new IPEndPoint(address, 0));
        }
    }

    public void Start() => _ = AcceptLoopAsync();

    public bool TryGet(in TransportAddress remote, out IceTcpConnection? connection) =>
        _connections.TryGetValue(remote, out connection);

    private async Task AcceptLoopAsync()
    {
        while (!_disposed)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (_disposed)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of descriptors or a connection reset before accept: the listener stays, the next accept may work.
                _logger.LogWarning("ICE-TCP accept failed: {Error}", e.SocketErrorCode);
                await Task.Delay(TimeSpan.FromMilliseconds(50), _options.TimeProvider).ConfigureAwait(false);
                continue;
            }

            if (_disposed)
            {
                accepted.Dispose();
                return;
            }

            Interlocked.Increment(ref Counters.TcpAcceptedValue);
            if (_connections.Count >= _options.MaxConnections || accepted.RemoteEndPoint is not IPEndPoint endPoint)
            {
                Counters.CountTcpDrop(IceTcpDropReason.TooManyConnections);
                Interlocked.Increment(ref Counters.TcpClosedValue);
                accepted.Dispose();
                continue;
            }

            var connection = new IceTcpConnection(
                accepted,
                this,
                _options,
                TransportAddress.FromIPEndPoint(endPoint).AsTcp()
            );
            _connections[connection.Remote] = connection;
            Interlocked.Increment(ref Counters.TcpOpenValue);
            _handler.OnTcpAccepted(connection);
            _ = connection.RunAsync();
        }
    }

    /// <summary>Enforces STUN-first, then hands the frame to the transport; false when the connection is
    /// closed.</summary>
    internal bool OnFrame(IceTcpConnection connection, Span<byte> frame)
    {
        Interlocked.Increment(ref Counters.TcpFramesReceivedValue);
        if (!connection.Authenticated && DatagramClassifier.Classify(frame) != DatagramKind.Stun)
        {
            connection.Close(IceTcpDropReason.NotStunFirst);
            return false;
        }

        if (_handler.OnTcpFrame(connection, frame))
        {
            connection.MarkAuthenticated();
        }

        return !connection.IsClosed;
    }

    internal void OnReadLoopFault(IceTcpConnection connection, Exception e)
    {
        Interlocked.Increment(ref Counters.HandlerErrorsValue);
        _logger.LogWarning(e, "ICE-TCP connection {Remote} failed; closed", connection.Remote);
    }

    internal void OnClosed(IceTcpConnection connection, IceTcpDropReason? reason)
    {
        _connections.TryRemove(new KeyValuePair<TransportAddress, IceTcpConnection>(connection.Remote, connection));
        Interlocked.Decrement(ref Counters.TcpOpenValue);
        Interlocked.Increment(ref Counters.TcpClosedValue);
        if (reason is { } dropped)
        {
            Counters.CountTcpDrop(dropped);
            _logger.LogDebug("ICE-TCP connection {Remote} dropped: {Reason}", connection.Remote, dropped);
        }

        _handler.OnTcpClosed(connection);
    }

    /// <summary>Closes connections past their binding or send-stall deadline; the transport's timer calls it.</summary>
    public void CheckTimeouts()
    {
        long now = _options.TimeProvider.GetTimestamp();
        foreach (IceTcpConnection connection in _connections.Values)
        {
            connection.CheckTimeouts(now);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _socket.Dispose();
        foreach (IceTcpConnection connection in _connections.Values)
        {
            connection.Close(null);
        }
    }
}
