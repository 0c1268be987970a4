using System.Net;

namespace MobZ.Rtc.Transport.Egress;

/// <summary>
/// Datagrams waiting to leave in one system call: fixed slots in one pinned array (a packet is copied in, so the
/// caller's pooled buffer is free at once), each with its destination's sockaddr and the counters of the peer it
/// belongs to. Owned by one thread at a time; nothing here allocates after construction. <see cref="Flush"/> offers
/// the whole batch to the kernel without waiting and counts, per datagram, what was taken and what was dropped and
/// why: after EAGAIN the rest of the batch is dropped (the send buffer is one per socket, a later datagram would meet
/// the same full buffer), after an error of one datagram the next ones still go.
/// </summary>
internal sealed class UdpEgressBatch
{
    /// <summary>Room for one slot: an MTU-sized SRTP packet with its trailer, rounded up.</summary>
    public const int SlotSize = 2048;

    private readonly byte[] _data;
    private readonly byte[] _names;
    private readonly int[] _lengths;
    private readonly int[] _nameLengths;
    private readonly SocketAddress?[] _addresses;
    private readonly EgressCounters?[] _owners;

    public UdpEgressBatch(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        // Pinned: sendmmsg's iovecs and msg_names point straight into these arrays.
        _data = GC.AllocateUninitializedArray<byte>(capacity * SlotSize, pinned: true);
        _names = GC.AllocateArray<byte>(capacity * LinuxSockAddr.MaxLength, pinned: true);
        _lengths = new int[capacity];
        _nameLengths = new int[capacity];
        _addresses = new SocketAddress?[capacity];
        _owners = new EgressCounters?[capacity];
    }

    public int Capacity { get; }

    public int Count { get; private set; }

    public bool IsFull => Count == Capacity;

    public ReadOnlySpan<byte> Packet(int index) => _data.AsSpan(index * SlotSize, _lengths[index]);

    public SocketAddress Address(int index) => _addresses[index]!;

    /// <summary>The pinned slot and name arrays, for the native sender to point at.</summary>
    internal byte[] Data => _data;

    internal byte[] Names => _names;

    internal int Length(int index) => _lengths[index];

    internal int NameLength(int index) => _nameLengths[index];

    /// <summary>Copies <paramref name="packet"/> (at most <see cref="SlotSize"/> bytes) into the next slot, with the
    /// destination in both forms: <paramref name="nativeName"/> for sendmmsg, <paramref name="address"/> for the
    /// portable sender (it must not change before the flush). The caller flushes a full batch first.</summary>
    public void Add(
        ReadOnlySpan<byte> packet,
        ReadOnlySpan<byte> nativeName,
        SocketAddress address,
        EgressCounters? owner
    )
    {
        int index = Count;
        packet.CopyTo(_data.AsSpan(index * SlotSize, SlotSize));
        _lengths[index] = packet.Length;
        nativeName.CopyTo(_names.AsSpan(index * LinuxSockAddr.MaxLength, LinuxSockAddr.MaxLength));
        _nameLengths[index] = nativeName.Length;
        _addresses[index] = address;
        _owners[index] = owner;
        Count = index + 1;
    }

    /// <summary>Offers every datagram to the kernel once, counts the outcome of each on <paramref name="transport"/>
    /// and on its peer's counters, and empties the batch. Never waits. Returns how many the kernel took.</summary>
    public int Flush(IDatagramBatchSender sender, EgressCounters transport)
    {
        int next = 0;
        int accepted = 0;
        int silentStops = 0;
        while (next < Count)
        {
            int taken = sender.Send(this, next, transport, out var failure);
            taken = Math.Clamp(taken, 0, Count - next);
            for (int i = next; i < next + taken; i++)
                Sent(i, transport);
            next += taken;
            accepted += taken;
            if (next == Count)
                break;
            switch (failure)
            {
                case SendFailure.WouldBlock:
                    DropFrom(next, EgressDropReason.SocketFull, transport);
                    next = Count;
                    break;
                case SendFailure.Closed:
                    DropFrom(next, EgressDropReason.SocketClosed, transport);
                    next = Count;
                    break;
                case SendFailure.Rejected:
                    Drop(next, EgressDropReason.SendError, transport);
                    next++;
                    break;
                default:
                    // The kernel stopped early without an error (sendmmsg may): offer the rest again, but a sender that
                    // keeps taking nothing without a reason must not spin the receive thread.
                    if (taken == 0 && ++silentStops > 2)
                    {
                        Drop(next, EgressDropReason.SendError, transport);
                        next++;
                    }

                    break;
            }
        }

        Clear();
        return accepted;
    }

    /// <summary>Drops what is queued without offering it (the transport is closing).</summary>
    public void Discard(EgressCounters transport)
    {
        DropFrom(0, EgressDropReason.SocketClosed, transport);
        Clear();
    }

    private void Sent(int index, EgressCounters transport)
    {
        transport.CountSent(_lengths[index]);
        _owners[index]?.CountSent(_lengths[index]);
    }

    private void Drop(int index, EgressDropReason reason, EgressCounters transport)
    {
        transport.CountDrop(reason);
        _owners[index]?.CountDrop(reason);
    }

    private void DropFrom(int start, EgressDropReason reason, EgressCounters transport)
    {
        for (int i = start; i < Count; i++)
            Drop(i, reason, transport);
    }

    private void Clear()
    {
        // Drop the references, so a closed peer's counters and destination do not live on in an idle batch.
        Array.Clear(_addresses, 0, Count);
        Array.Clear(_owners, 0, Count);
        Count = 0;
    }
}
