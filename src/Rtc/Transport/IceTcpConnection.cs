using System.Net.Sockets;
using MobZ.Rtc.Stun;
using MobZ.Rtc.Transport.Egress;

namespace MobZ.Rtc.Transport;

/// <summary>
/// One accepted ICE-TCP connection (RFC 6544 passive side, RFC 4571 framing): an async read loop over a fixed
/// <see cref="Rfc4571Framer"/>, and a send side that writes straight into the kernel's buffer and only when that is
/// full queues into a bounded ring drained by an async loop. A client that stops reading fills the ring: further
/// packets are dropped and counted, and the connection is closed once the queue made no progress for the stall
/// timeout — senders never block. As a <see cref="RtcPath"/> it is what a peer that nominated it sends through.
/// </summary>
internal sealed class IceTcpConnection : RtcPath
{
    /// <summary>Largest packet sent: STUN, DTLS and SRTP are MTU-sized; the frame is copied on the stack.</summary>
    public const int MaxSendLength = 4096;

    private readonly Socket _socket;
    private readonly IceTcpListener _owner;
    private readonly IceTcpOptions _options;
    private readonly Rfc4571Framer _framer;
    private readonly Lock _sendGate = new();
    private readonly long _acceptedAt;
    private byte[]? _queue;
    private int _head;
    private int _queued;
    private bool _draining;
    private long _lastSendProgress;
    private int _closed;
    private volatile bool _authenticated;

    public IceTcpConnection(Socket socket, IceTcpListener owner, IceTcpOptions options, TransportAddress remote)
    {
        _socket = socket;
        _owner = owner;
        _options = options;
        _framer = new Rfc4571Framer(options.MaxFrameLength);
        _acceptedAt = options.TimeProvider.GetTimestamp();
        Remote = remote;
        // Media latency matters more than segment count; sync sends report WouldBlock instead of waiting.
        _socket.NoDelay = true;
        _socket.Blocking = false;
    }

    /// <summary>The client's address and port, marked TCP.</summary>
    public TransportAddress Remote { get; }

    /// <summary>A binding request with our credentials passed on this connection; before that only STUN is
    /// accepted.</summary>
    public bool Authenticated => _authenticated;

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    internal void MarkAuthenticated() => _authenticated = true;

    /// <summary>Reads frames until the client closes, the framing breaks or the connection is closed on our
    /// side.</summary>
    public async Task RunAsync()
    {
        try
        {
            while (!IsClosed)
            {
                int read = await _socket.ReceiveAsync(_framer.FreeSpace, SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    Close(null);
                    return;
                }

                _framer.Advance(read);
                if (!ProcessFrames())
                {
                    return;
                }

                _framer.Compact();
            }
        }
        catch (SocketException)
        {
            Close(null);
        }
        catch (ObjectDisposedException)
        {
            Close(null);
        }
        catch (Exception e)
        {
            // A handler bug must not leave a half-open connection behind.
            _owner.OnReadLoopFault(this, e);
            Close(null);
        }
    }

    private bool ProcessFrames()
    {
        while (true)
        {
            switch (_framer.TryRead(out Span<byte> frame))
            {
                case FrameStatus.NeedMore:
                    return true;
                case FrameStatus.Malformed:
                    Close(IceTcpDropReason.MalformedFrame);
                    return false;
                default:
                    if (!_owner.OnFrame(this, frame))
                    {
                        return false;
                    }

                    break;
            }
        }
    }

    public override bool Send(ReadOnlySpan<byte> packet, EgressCounters? owner)
    {
        var reason = TrySend(packet);
        var counters = _owner.Counters.Egress;
        if (reason is { } dropped)
        {
            counters.CountDrop(dropped);
            owner?.CountDrop(dropped);
            return false;
        }

        counters.CountSent(packet.Length);
        owner?.CountSent(packet.Length);
        return true;
    }

    /// <summary>A STUN response on this connection (no peer to charge it to).</summary>
    public bool Send(ReadOnlySpan<byte> packet) => Send(packet, null);

    private EgressDropReason? TrySend(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty || packet.Length > MaxSendLength)
        {
            return EgressDropReason.Oversized;
        }

        bool startDrain = false;
        lock (_sendGate)
        {
            if (IsClosed)
            {
                return EgressDropReason.NoPath;
            }

            Span<byte> prefix = stackalloc byte[Rfc4571Framer.LengthSize];
            Rfc4571Framer.WriteLength(prefix, packet.Length);
            if (_queued == 0 && !_draining)
            {
                int sent = TrySendNow(prefix, packet, out bool failed);
                if (failed)
                {
                    Close(null);
                    return EgressDropReason.NoPath;
                }

                int total = prefix.Length + packet.Length;
                if (sent == total)
                {
                    return null;
                }

                // The kernel took part of the frame: the rest must follow before anything else, so it always queues.
                _lastSendProgress = _options.TimeProvider.GetTimestamp();
                Enqueue(prefix, packet, skip: sent);
                _draining = true;
                startDrain = true;
            }
            else if (_queue!.Length - _queued < prefix.Length + packet.Length)
            {
                return EgressDropReason.QueueFull;
            }
            else
            {
                Enqueue(prefix, packet, skip: 0);
            }
        }

        if (startDrain)
        {
            _ = DrainAsync();
        }

        return null;
    }

    /// <summary>One non-blocking send of prefix and packet (copied together so the frame goes out in one
    /// segment).</summary>
    private int TrySendNow(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> packet, out bool failed)
    {
        Span<byte> frame = stackalloc byte[prefix.Length + packet.Length];
        prefix.CopyTo(frame);
        packet.CopyTo(frame[prefix.Length..]);
        int sent;
        SocketError error;
        try
        {
            sent = _socket.Send(frame, SocketFlags.None, out error);
        }
        catch (ObjectDisposedException)
        {
            // Closed by the timer or the read loop between our check and the send.
            failed = true;
            return 0;
        }

        failed = error is not (SocketError.Success or SocketError.WouldBlock);
        return failed ? 0 : Math.Max(sent, 0);
    }

    private void Enqueue(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> packet, int skip)
    {
        _queue ??= new byte[_options.SendQueueBytes];
        if (skip < prefix.Length)
        {
            Write(prefix[skip..]);
            Write(packet);
        }
        else
        {
            Write(packet[(skip - prefix.Length)..]);
        }
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        byte[] queue = _queue!;
        int tail = (_head + _queued) % queue.Length;
        int first = Math.Min(bytes.Length, queue.Length - tail);
        bytes[..first].CopyTo(queue.AsSpan(tail));
        bytes[first..].CopyTo(queue);
        _queued += bytes.Length;
    }

    private async Task DrainAsync()
    {
        try
        {
            while (true)
            {
                ReadOnlyMemory<byte> chunk;
                lock (_sendGate)
                {
                    if (IsClosed || _queued == 0)
                    {
                        _draining = false;
                        return;
                    }

                    chunk = _queue.AsMemory(_head, Math.Min(_queued, _queue!.Length - _head));
                }

                int sent = await _socket.SendAsync(chunk, SocketFlags.None).ConfigureAwait(false);
                lock (_sendGate)
                {
                    _head = (_head + sent) % _queue!.Length;
                    _queued -= sent;
                    _lastSendProgress = _options.TimeProvider.GetTimestamp();
                }
            }
        }
        catch (SocketException)
        {
            Close(null);
        }
        catch (ObjectDisposedException)
        {
            Close(null);
        }
    }

    /// <summary>Closes a connection that never authenticated in time or whose client stopped reading.</summary>
    internal void CheckTimeouts(long now)
    {
        TimeProvider time = _options.TimeProvider;
        if (!_authenticated && time.GetElapsedTime(_acceptedAt, now) >= _options.BindingTimeout)
        {
            Close(IceTcpDropReason.NoBinding);
            return;
        }

        bool stalled;
        lock (_sendGate)
        {
            stalled = _queued > 0 && time.GetElapsedTime(_lastSendProgress, now) >= _options.SendStallTimeout;
        }

        if (stalled)
        {
            Close(IceTcpDropReason.SlowReader);
        }
    }

    /// <summary>Closes the socket once; <paramref name="reason"/> is set when we drop the client, null for an ordinary
    /// end.</summary>
    public void Close(IceTcpDropReason? reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        try
        {
            // Reset rather than linger: a client that stopped reading must not keep kernel buffers for minutes.
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }

        // Counted and unrouted before the client can see the close.
        _owner.OnClosed(this, reason);
        _socket.Dispose();
    }
}
