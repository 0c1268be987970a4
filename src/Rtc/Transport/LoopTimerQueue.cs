namespace MobZ.Rtc.Transport;

/// <summary>Work that runs on a transport's receive loop (a media worker's thread) when its time comes.</summary>
public interface ILoopTimer
{
    /// <summary>Runs on the loop thread, between datagram batches, never beside the packet path.</summary>
    /// <param name="now">the queue clock's timestamp (<see cref="TimeProvider.GetTimestamp"/>).</param>
    /// <returns>when to run again (a timestamp of the same clock), or null: not until scheduled again.</returns>
    long? OnDue(long now);
}

/// <summary>
/// The timers of one receive loop: per-peer or per-engine work (the media tick, a pacer's next release) that must run
/// on the thread that owns the peer's state, so it needs no lock against the packet path. <see cref="Schedule"/> may be
/// called from any thread; one <see cref="ITimer"/> of the queue's clock stands for the earliest entry and, when it
/// fires, wakes the loop, which runs whatever is due (<see cref="RunDue"/>) after its current batch. An empty queue
/// holds no timer (an idle worker wakes nobody). With a fake clock, advancing it past an entry's time is what runs it.
/// </summary>
public sealed class LoopTimerQueue : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Action _wake;
    private readonly Lock _gate = new();
    private readonly PriorityQueue<ILoopTimer, long> _queue = new();
    private readonly Dictionary<ILoopTimer, long> _due = new(ReferenceEqualityComparer.Instance);
    private ITimer? _timer;
    private long _armedFor = long.MaxValue;
    private long _earliest = long.MaxValue;
    private bool _disposed;

    /// <param name="wake">makes the loop return from its wait (it then calls <see cref="RunDue"/>).</param>
    public LoopTimerQueue(TimeProvider time, Action wake)
    {
        _time = time;
        _wake = wake;
    }

    public TimeProvider Time => _time;

    /// <summary>Entries waiting (an entry counts once however often it was scheduled).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
                return _due.Count;
        }
    }

    /// <summary>Runs <paramref name="work"/> on the loop at <paramref name="dueTimestamp"/> or soon after; when it is
    /// already waiting, the earlier of the two times wins.</summary>
    public void Schedule(ILoopTimer work, long dueTimestamp)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (_gate)
        {
            if (_disposed || (_due.TryGetValue(work, out long due) && due <= dueTimestamp))
                return;
            _due[work] = dueTimestamp;
            _queue.Enqueue(work, dueTimestamp);
            ArmLocked();
        }
    }

    /// <summary>Whether something is due at <paramref name="now"/>: a lock-free check the loop makes after every
    /// batch.</summary>
    public bool AnyDue(long now) => now >= Volatile.Read(ref _earliest);

    /// <summary>Runs every entry due now, in time order, on the calling thread (the loop's); returns how many ran. An
    /// entry that throws is dropped and the exception goes to the caller after the others ran.</summary>
    public int RunDue()
    {
        long now = _time.GetTimestamp();
        int ran = 0;
        List<Exception>? errors = null;
        while (true)
        {
            ILoopTimer work;
            lock (_gate)
            {
                if (!TryTakeDueLocked(now, out work!))
                {
                    ArmLocked();
                    break;
                }
            }
            ran++;
            try
            {
                if (work.OnDue(now) is { } next)
                    Schedule(work, next);
            }
            catch (Exception e)
            {
                (errors ??= []).Add(e);
            }
        }
        if (errors is not null)
            throw new AggregateException(errors);
        return ran;
    }

    private bool TryTakeDueLocked(long now, out ILoopTimer? work)
    {
        while (_queue.TryPeek(out work, out long due))
        {
            if (due > now)
                return false;
            _queue.Dequeue();
            // A stale entry: the work was rescheduled earlier and has run, or is waiting under its earlier time.
            if (!_due.TryGetValue(work, out long current) || current != due)
                continue;
            _due.Remove(work);
            return true;
        }
        work = null;
        return false;
    }

    private void ArmLocked()
    {
        long earliest = long.MaxValue;
        while (_queue.TryPeek(out var work, out long due))
        {
            if (_due.TryGetValue(work, out long current) && current == due)
            {
                earliest = due;
                break;
            }
            _queue.Dequeue();
        }
        Volatile.Write(ref _earliest, earliest);
        if (earliest == long.MaxValue || _disposed)
        {
            _timer?.Dispose();
            _timer = null;
            _armedFor = long.MaxValue;
            return;
        }
        if (earliest >= _armedFor)
            return;
        _armedFor = earliest;
        var delay = _time.GetElapsedTime(_time.GetTimestamp(), earliest);
        if (delay < TimeSpan.Zero)
            delay = TimeSpan.Zero;
        if (_timer is null)
        {
            _timer = _time.CreateTimer(
                static s => ((LoopTimerQueue)s!).OnTimer(),
                this,
                delay,
                Timeout.InfiniteTimeSpan
            );
        }
        else
        {
            _timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimer()
    {
        lock (_gate)
            _armedFor = long.MaxValue;
        _wake();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _queue.Clear();
            _due.Clear();
            Volatile.Write(ref _earliest, long.MaxValue);
            _timer?.Dispose();
            _timer = null;
        }
    }
}
