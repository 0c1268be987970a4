namespace MobZ.LoadTool;

/// <summary>Forwarding latencies in 10 µs buckets up to 1 s (above: the last bucket); thread-safe.</summary>
internal sealed class LatencyHistogram
{
    private const double BucketUs = 10;
    private readonly long[] _buckets = new long[100_001];
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Add(double microseconds)
    {
        int b = (int)Math.Clamp(microseconds / BucketUs, 0, _buckets.Length - 1);
        Interlocked.Increment(ref _buckets[b]);
        Interlocked.Increment(ref _count);
    }

    public double Percentile(double p)
    {
        long total = Count,
            seen = 0,
            target = (long)Math.Ceiling(total * p);
        for (int i = 0; i < _buckets.Length; i++)
        {
            seen += Interlocked.Read(ref _buckets[i]);
            if (seen >= target && total > 0)
                return (i + 1) * BucketUs;
        }
        return double.NaN;
    }
}
