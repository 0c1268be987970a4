using System.Diagnostics;
using System.Globalization;

namespace MobZ.Munit.Workers;

/// <summary>
/// CPU use of one OS thread (a media worker's loop) since the previous sample, as a fraction of one core: the
/// kernel's on-CPU nanoseconds of the thread (<c>/proc/self/task/&lt;tid&gt;/schedstat</c>, Linux). Elsewhere, or
/// before the thread has started, it reads 0.
/// </summary>
public sealed class ThreadCpuMeter(Func<int> threadId)
{
    private readonly Lock _gate = new();
    private long _lastCpuNs = -1;
    private long _lastTicks;
    private double _last;

    /// <summary>The thread's CPU time so far, in nanoseconds (-1 when it cannot be read).</summary>
    public long CpuNanoseconds()
    {
        int tid = threadId();
        if (tid <= 0)
            return -1;
        try
        {
            string text = File.ReadAllText($"/proc/self/task/{tid}/schedstat");
            int space = text.IndexOf(' ');
            return long.Parse(space > 0 ? text[..space] : text, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return -1;
        }
    }

    public double Sample()
    {
        lock (_gate)
        {
            long cpu = CpuNanoseconds();
            long now = Stopwatch.GetTimestamp();
            if (cpu < 0)
                return 0;
            if (_lastCpuNs < 0)
            {
                _lastCpuNs = cpu;
                _lastTicks = now;
                return 0;
            }
            double wall = Stopwatch.GetElapsedTime(_lastTicks, now).TotalSeconds;
            // Samples closer than 100 ms apart are noise; keep the previous value.
            if (wall < 0.1)
                return _last;
            _last = Math.Clamp((cpu - _lastCpuNs) / 1e9 / wall, 0, 1);
            _lastCpuNs = cpu;
            _lastTicks = now;
            return _last;
        }
    }
}
