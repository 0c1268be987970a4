namespace MobZ.Rtc.Transport.Egress;

/// <summary>
/// What went out and what was dropped, by reason: one per transport (the <c>/metrics</c> numbers) and one per peer
/// (what a pacer reads to learn how much of what it handed over the kernel took). A datagram counts as sent when the
/// kernel accepted it, which for a batched send is at the flush, not when it was handed over. Updated from the
/// receive thread and from other senders at once, so every count is interlocked.
/// </summary>
public sealed class EgressCounters
{
    private readonly long[] _dropped = new long[Enum.GetValues<EgressDropReason>().Length];
    private long _sent;
    private long _sentBytes;
    private long _syscalls;

    /// <summary>Datagrams (or ICE-TCP frames) the kernel accepted.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Bytes of those datagrams (SRTP-protected sizes, without IP/UDP headers).</summary>
    public long SentBytes => Interlocked.Read(ref _sentBytes);

    /// <summary>UDP send system calls made (one <c>sendmmsg</c> carries a whole batch): <see cref="Sent"/> divided by
    /// this is the mean batch size. Counted on the transport only.</summary>
    public long Syscalls => Interlocked.Read(ref _syscalls);

    public long Dropped(EgressDropReason reason) => Interlocked.Read(ref _dropped[(int)reason]);

    /// <summary>Every drop, whatever its reason.</summary>
    public long DroppedTotal
    {
        get
        {
            long total = 0;
            for (int i = 0; i < _dropped.Length; i++)
                total += Interlocked.Read(ref _dropped[i]);
            return total;
        }
    }

    internal void CountSent(int bytes)
    {
        Interlocked.Increment(ref _sent);
        Interlocked.Add(ref _sentBytes, bytes);
    }

    internal void CountSyscall() => Interlocked.Increment(ref _syscalls);

    internal void CountDrop(EgressDropReason reason) => Interlocked.Increment(ref _dropped[(int)reason]);
}
