using System.Buffers;
using System.Collections.Concurrent;
using Org.BouncyCastle.Crypto.Tls;

namespace MobZ.Rtc.Dtls;

/// <summary>
/// BouncyCastle's blocking <see cref="DatagramTransport"/> fed from the shared socket: the receive
/// loop enqueues copies of this peer's DTLS datagrams (bounded, oldest dropped), and the
/// handshake thread blocks on a semaphore until one arrives or its timeout passes — no polling.
/// </summary>
internal sealed class DtlsDatagramChannel : DatagramTransport
{
    /// <summary>Enough for a few retransmitted flights; a flood beyond it is dropped, never buffered.</summary>
    public const int Capacity = 32;

    private readonly IDtlsDatagramSender _sender;
    private readonly int _sendLimit;
    private readonly ConcurrentQueue<(byte[] Buffer, int Length)> _queue = new();
    private readonly SemaphoreSlim _available = new(0);
    private readonly CancellationTokenSource _closed = new();
    private int _count;

    public DtlsDatagramChannel(IDtlsDatagramSender sender, int sendLimit)
    {
        _sender = sender;
        _sendLimit = sendLimit;
    }

    public bool IsClosed => _closed.IsCancellationRequested;

    /// <summary>Called by the receive loop; copies the datagram, so the caller's buffer can be reused.</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> datagram)
    {
        if (IsClosed || datagram.Length > GetReceiveLimit())
            return false;
        if (Interlocked.Increment(ref _count) > Capacity)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(datagram.Length);
        datagram.CopyTo(buffer);
        _queue.Enqueue((buffer, datagram.Length));
        _available.Release();
        return true;
    }

    /// <summary>Hands every still-queued datagram to <paramref name="handle"/> (after the reader has stopped).</summary>
    public void Drain(ReadOnlySpanAction<byte, object?> handle)
    {
        while (_queue.TryDequeue(out var datagram))
        {
            Interlocked.Decrement(ref _count);
            handle(datagram.Buffer.AsSpan(0, datagram.Length), null);
            ArrayPool<byte>.Shared.Return(datagram.Buffer);
        }
    }

    public int GetReceiveLimit() => 1500;

    public int GetSendLimit() => _sendLimit;

    public int Receive(byte[] buf, int off, int len, int waitMillis)
    {
        try
        {
            if (!_available.Wait(waitMillis, _closed.Token))
                return -1;
        }
        catch (OperationCanceledException)
        {
            throw new DtlsChannelClosedException();
        }
        if (!_queue.TryDequeue(out var datagram))
            return -1;
        Interlocked.Decrement(ref _count);
        int length = Math.Min(len, datagram.Length);
        Buffer.BlockCopy(datagram.Buffer, 0, buf, off, length);
        ArrayPool<byte>.Shared.Return(datagram.Buffer);
        return length;
    }

    public void Send(byte[] buf, int off, int len)
    {
        if (!IsClosed)
            _sender.SendDtls(buf.AsSpan(off, len));
    }

    public void Close()
    {
        if (IsClosed)
            return;
        _closed.Cancel();
        while (_queue.TryDequeue(out var datagram))
            ArrayPool<byte>.Shared.Return(datagram.Buffer);
    }
}

/// <summary>Thrown into BouncyCastle's handshake when the session is closed from outside.</summary>
internal sealed class DtlsChannelClosedException : IOException
{
    public DtlsChannelClosedException() : base("DTLS channel closed")
    {
    }
}
