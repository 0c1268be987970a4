namespace MobZ.Regulator;

/// <summary>
/// Sizes the liveness TTL a Munit writes with each heartbeat from how late its own heartbeats have run. A Munit
/// on a starved machine (a noisy Fargate host, a long GC) beats late; with a fixed TTL a few late beats declare it
/// dead, its stations move and its calls are interrupted for nothing. Here the TTL is the configured one, or the
/// interval plus three times the worst lateness of the last <see cref="Window"/> beats when that is longer, never
/// more than the configured ceiling (a Munit that is really gone must still be noticed).
/// </summary>
internal sealed class HeartbeatLiveness
{
    public const int Window = 30;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _minimumTtl;
    private readonly TimeSpan _maximumTtl;
    private readonly TimeSpan[] _lateness = new TimeSpan[Window];
    private int _count;
    private int _next;
    private DateTimeOffset? _last;

    public HeartbeatLiveness(TimeSpan interval, TimeSpan minimumTtl, TimeSpan maximumTtl)
    {
        _interval = interval;
        _minimumTtl = minimumTtl;
        _maximumTtl = maximumTtl;
        Ttl = minimumTtl;
    }

    /// <summary>The TTL to write with the next heartbeat.</summary>
    public TimeSpan Ttl { get; private set; }

    /// <summary>The worst lateness among the recent beats.</summary>
    public TimeSpan WorstLateness { get; private set; }

    /// <summary>Records a heartbeat made at <paramref name="now"/>; returns true when the TTL changed.</summary>
    public bool Beat(DateTimeOffset now)
    {
        if (_last is { } last)
        {
            var late = now - last - _interval;
            _lateness[_next] = late > TimeSpan.Zero ? late : TimeSpan.Zero;
            _next = (_next + 1) % Window;
            _count = Math.Min(_count + 1, Window);
        }
        _last = now;

        var worst = TimeSpan.Zero;
        for (int i = 0; i < _count; i++)
        {
            if (_lateness[i] > worst)
                worst = _lateness[i];
        }

        WorstLateness = worst;
        var ttl = _interval + 3 * worst;
        if (ttl < _minimumTtl)
            ttl = _minimumTtl;
        if (ttl > _maximumTtl)
            ttl = _maximumTtl;
        bool changed = ttl != Ttl;
        Ttl = ttl;
        return changed;
    }
}
