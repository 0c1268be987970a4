namespace MobZ.Rtc.Tests.Ice;

/// <summary>A clock the test advances by hand, so timeout tests run instantly and deterministically.</summary>
internal sealed class FakeTime : TimeProvider
{
    private long _ticks = 1_000_000;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
