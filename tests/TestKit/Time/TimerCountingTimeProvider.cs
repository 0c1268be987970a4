using Microsoft.Extensions.Time.Testing;

namespace MobZ.TestKit.Time;

/// <summary>A fake clock that knows how many timers are alive (created and not yet disposed) and how often they
/// fired.</summary>
public sealed class TimerCountingTimeProvider(DateTimeOffset? start = null) : TimeProvider
{
    private readonly FakeTimeProvider _fake = start is { } s ? new(s) : new();
    private int _live;
    private int _fired;

    public int LiveTimers => Volatile.Read(ref _live);

    /// <summary>How many times a timer's callback has run (the fake clock runs them inside <see
    /// cref="Advance"/>).</summary>
    public int FiredTimers => Volatile.Read(ref _fired);

    public void Advance(TimeSpan delta) => _fake.Advance(delta);

    public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

    public override long GetTimestamp() => _fake.GetTimestamp();

    public override long TimestampFrequency => _fake.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        // Count the timer only once the fake clock holds it: a test that sees it counted and then advances the clock
        // must not advance past a timer that is not registered yet (it would then never fire).
        var timer = new Counted(
            _fake.CreateTimer(
                s =>
                {
                    Interlocked.Increment(ref _fired);
                    callback(s);
                },
                state,
                dueTime,
                period
            ),
            this
        );
        Interlocked.Increment(ref _live);
        return timer;
    }

    private sealed class Counted(ITimer inner, TimerCountingTimeProvider owner) : ITimer
    {
        private int _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                Interlocked.Decrement(ref owner._live);
            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
