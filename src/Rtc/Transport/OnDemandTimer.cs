namespace MobZ.Rtc.Transport;

/// <summary>
/// A periodic timer that exists only while there is something to look after. <see cref="Arm"/> creates it when it is
/// not running; a tick after which <c>hasWork</c> says there is nothing left disposes it. An idle transport (a standby
/// Munit) thus holds no timer and wakes no thread; the next peer or connection arms it again.
/// </summary>
/// <remarks>
/// Callers must make the work visible to <c>hasWork</c> before they call <see cref="Arm"/>: the tick's "nothing left"
/// check and <see cref="Arm"/> run under one lock, so either the tick sees the new work and keeps the timer, or it
/// drops the timer first and <see cref="Arm"/> creates a new one.
/// </remarks>
internal sealed class OnDemandTimer : IDisposable
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _period;
    private readonly Action _tick;
    private readonly Func<bool> _hasWork;
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private bool _disposed;

    public OnDemandTimer(TimeProvider time, TimeSpan period, Action tick, Func<bool> hasWork)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        _time = time;
        _period = period;
        _tick = tick;
        _hasWork = hasWork;
    }

    /// <summary>Starts the timer (first tick one period from now) unless it is running.</summary>
    public void Arm()
    {
        lock (_gate)
        {
            if (_timer is null && !_disposed)
            {
                _timer = _time.CreateTimer(static s => ((OnDemandTimer)s!).OnTick(), this, _period, _period);
            }
        }
    }

    private void OnTick()
    {
        _tick();
        lock (_gate)
        {
            if (_timer is null || _hasWork())
            {
                return;
            }

            _timer.Dispose();
            _timer = null;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }
}
