using System.Diagnostics;

namespace MobZ.Munit.Control;

/// <summary>This process's CPU use since the previous sample, as a fraction of all cores.</summary>
public sealed class CpuMeter
{
    private readonly Lock _gate = new();
    private TimeSpan _lastCpu = Process.GetCurrentProcess().TotalProcessorTime;
    private long _lastTicks = Stopwatch.GetTimestamp();
    private double _last;

    public double Sample()
    {
        lock (_gate)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            long now = Stopwatch.GetTimestamp();
            double wall = Stopwatch.GetElapsedTime(_lastTicks, now).TotalSeconds;
            // Samples closer than 100 ms apart are noise; keep the previous value.
            if (wall < 0.1)
                return _last;
            _last = Math.Clamp((cpu - _lastCpu).TotalSeconds / wall / Environment.ProcessorCount, 0, 1);
            _lastCpu = cpu;
            _lastTicks = now;
            return _last;
        }
    }
}
