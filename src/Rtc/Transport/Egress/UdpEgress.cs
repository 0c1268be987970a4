using System.Net;

namespace MobZ.Rtc.Transport.Egress;

/// <summary>
/// The way out of the transport's UDP socket, which never makes a sender wait. Packets produced on the receive thread
/// (the fan-out of an ingress batch, NACK answers, STUN responses) are copied into its batch and leave together when
/// the receive loop calls <see cref="Flush"/> after the batch of datagrams it read (or when the batch fills): one
/// <c>sendmmsg</c> for all of them on Linux. Any other thread (the media tick's reports, DTLS retransmissions, an
/// ICE-TCP reader's fan-out) sends at once through a second, one-slot batch under a lock of its own, so it never
/// touches the receive thread's batch and the receive thread never takes that lock. What the kernel will not take now
/// is dropped and counted (<see cref="EgressCounters"/>), on the transport and on the peer it was for.
/// </summary>
internal sealed class UdpEgress
{
    private readonly IDatagramBatchSender _batchSender;
    private readonly IDatagramBatchSender _directSender;
    private readonly UdpEgressBatch _batch;
    private readonly UdpEgressBatch _direct = new(1);
    private readonly Lock _directGate = new();
    private readonly EgressCounters _counters;
    private int _ownerThread;

    /// <param name="sender">makes the sender of a batch of that capacity (each batch has its own headers).</param>
    public UdpEgress(Func<int, IDatagramBatchSender> sender, int batchSize, EgressCounters counters)
    {
        _batch = new UdpEgressBatch(batchSize);
        _batchSender = sender(batchSize);
        _directSender = sender(1);
        _counters = counters;
    }

    /// <summary>sendmmsg or sendto, for the start-up log line.</summary>
    public string SenderName => _batchSender.Name;

    public int BatchSize => _batch.Capacity;

    /// <summary>Makes the calling thread the one whose sends are batched (the transport's receive thread).</summary>
    public void AttachReceiveThread() => Volatile.Write(ref _ownerThread, Environment.CurrentManagedThreadId);

    /// <summary>
    /// Hands one packet for <paramref name="destination"/> to the kernel, or to the receive thread's batch when called
    /// on that thread. True when it was taken (sent, or batched: the flush's outcome lands in the counters); false when
    /// it was dropped, counted under its reason on the transport and on <paramref name="owner"/>.
    /// </summary>
    public bool Send(ReadOnlySpan<byte> packet, UdpDestination destination, EgressCounters? owner)
    {
        if (destination.NativeLength == 0)
            return Drop(EgressDropReason.SendError, owner);
        if (Environment.CurrentManagedThreadId != Volatile.Read(ref _ownerThread))
            return SendDirect(packet, destination.Native, destination.Address, owner);
        if (packet.Length > UdpEgressBatch.SlotSize)
            return Drop(EgressDropReason.Oversized, owner);
        if (_batch.IsFull)
            _batch.Flush(_batchSender, _counters);
        _batch.Add(packet, destination.Native, destination.Address, owner);
        return true;
    }

    /// <summary>A STUN response to where the request came from: sent at once, because the receive loop reuses
    /// <paramref name="remote"/> for the next datagram.</summary>
    public bool SendNow(ReadOnlySpan<byte> packet, SocketAddress remote)
    {
        // On Linux SocketAddress holds the native sockaddr bytes (LinuxSocketCallsTests); the portable sender
        // ignores them.
        var native = remote.Buffer.Span[..Math.Min(remote.Size, LinuxSockAddr.MaxLength)];
        return SendDirect(packet, native, remote, null);
    }

    /// <summary>Sends what the receive thread batched. Called by the receive loop after each batch of
    /// datagrams.</summary>
    public void Flush()
    {
        if (_batch.Count > 0)
            _batch.Flush(_batchSender, _counters);
    }

    private bool SendDirect(
        ReadOnlySpan<byte> packet,
        ReadOnlySpan<byte> native,
        SocketAddress address,
        EgressCounters? owner
    )
    {
        if (packet.Length > UdpEgressBatch.SlotSize)
            return Drop(EgressDropReason.Oversized, owner);
        lock (_directGate)
        {
            _direct.Add(packet, native, address, owner);
            return _direct.Flush(_directSender, _counters) == 1;
        }
    }

    private bool Drop(EgressDropReason reason, EgressCounters? owner)
    {
        _counters.CountDrop(reason);
        owner?.CountDrop(reason);
        return false;
    }
}
