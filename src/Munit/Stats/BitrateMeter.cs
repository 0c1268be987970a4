namespace MobZ.Munit.Stats;

/// <summary>Bits per second over the last second, in ten 100 ms buckets (allocation-free, O(1) per packet).</summary>
public sealed class BitrateMeter
{
    private const int Buckets = 10;
    private const long BucketMs = 100;

    private readonly long[] _bytes = new long[Buckets];
    private long _currentBucket = -1;
    private long _sum;

    public void Add(int bytes, long nowMs)
    {
        Advance(nowMs);
        _bytes[_currentBucket % Buckets] += bytes;
        _sum += bytes;
    }

    public long BitsPerSecond(long nowMs)
    {
        Advance(nowMs);
        return _sum * 8 * 1000 / (Buckets * BucketMs);
    }

    private void Advance(long nowMs)
    {
        long bucket = nowMs / BucketMs;
        if (_currentBucket < 0)
        {
            _currentBucket = bucket;
            return;
        }
        if (bucket <= _currentBucket)
            return;
        long steps = Math.Min(bucket - _currentBucket, Buckets);
        for (long i = 1; i <= steps; i++)
        {
            long index = (_currentBucket + i) % Buckets;
            _sum -= _bytes[index];
            _bytes[index] = 0;
        }
        _currentBucket = bucket;
    }
}
