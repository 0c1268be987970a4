using System.Net;
using Microsoft.Extensions.Time.Testing;
using MobZ.Rtc.Transport;
using MobZ.TestKit;

namespace MobZ.Rtc.Tests.Transport;

/// <summary>The receive loop's timer queue: work scheduled from any thread runs on the loop's thread when the clock
/// (a fake one here) reaches it, without waking the loop for anything else.</summary>
public sealed class LoopTimerQueueTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Work_runs_on_the_receive_thread_when_the_fake_clock_reaches_it_and_again_when_it_asks()
    {
        var time = new FakeTimeProvider();
        using var transport = new RtcUdpTransport(
            new RtcTransportOptions
            {
                TimeProvider = time,
                BindAddress = IPAddress.Loopback,
                Port = 0,
            }
        );
        var work = new RecordingWork(time, repeatAfter: TimeSpan.FromMilliseconds(10), times: 2);

        transport.Timers.Schedule(work, time.GetTimestamp() + Ticks(time, 5));
        time.Advance(TimeSpan.FromMilliseconds(4));
        Assert.Equal(0, work.Runs);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.WaitUntilAsync(() => work.Runs == 1, Deadline, "the work ran at its time");
        time.Advance(TimeSpan.FromMilliseconds(10));
        await Eventually.WaitUntilAsync(() => work.Runs == 2, Deadline, "the work ran again when it asked");

        Assert.All(work.Threads, name => Assert.Equal($"rtc-udp-{transport.LocalEndPoint.Port}", name));
        Assert.Equal(0, transport.Timers.Count);
        // The loop's own wake-ups are neither media nor garbage.
        Assert.Equal(0, transport.Counters.DatagramsReceived);
        Assert.Equal(0, transport.Counters.UnknownKind);
    }

    [Fact]
    public void Of_two_schedules_of_one_work_the_earlier_wins_and_it_runs_once()
    {
        var time = new FakeTimeProvider();
        int wakes = 0;
        using var queue = new LoopTimerQueue(time, () => wakes++);
        var work = new RecordingWork(time, repeatAfter: null, times: 1);
        long now = time.GetTimestamp();

        queue.Schedule(work, now + Ticks(time, 10));
        queue.Schedule(work, now + Ticks(time, 5));
        queue.Schedule(work, now + Ticks(time, 20));
        Assert.Equal(1, queue.Count);
        time.Advance(TimeSpan.FromMilliseconds(5));

        Assert.Equal(1, wakes);
        Assert.Equal(1, queue.RunDue());
        time.Advance(TimeSpan.FromMilliseconds(20));
        Assert.Equal(0, queue.RunDue());
        Assert.Equal(1, work.Runs);
        Assert.Equal(1, wakes);
    }

    [Fact]
    public void Work_that_throws_is_dropped_after_the_others_ran_and_the_caller_hears_of_it()
    {
        var time = new FakeTimeProvider();
        using var queue = new LoopTimerQueue(time, () => { });
        var good = new RecordingWork(time, repeatAfter: TimeSpan.FromMilliseconds(5), times: 10);
        long now = time.GetTimestamp();
        queue.Schedule(new ThrowingWork(), now);
        queue.Schedule(good, now);

        var error = Assert.Throws<AggregateException>(() => queue.RunDue());

        Assert.IsType<InvalidOperationException>(Assert.Single(error.InnerExceptions));
        Assert.Equal(1, good.Runs);
        Assert.Equal(1, queue.Count);
    }

    private static long Ticks(TimeProvider time, int ms) => time.TimestampFrequency * ms / 1000;

    private sealed class RecordingWork(TimeProvider time, TimeSpan? repeatAfter, int times) : ILoopTimer
    {
        private int _runs;

        public int Runs => Volatile.Read(ref _runs);
        public List<string?> Threads { get; } = [];

        public long? OnDue(long now)
        {
            lock (Threads)
                Threads.Add(Thread.CurrentThread.Name);
            int runs = Interlocked.Increment(ref _runs);
            return repeatAfter is { } after && runs < times
                ? now + (long)(after.TotalSeconds * time.TimestampFrequency)
                : null;
        }
    }

    private sealed class ThrowingWork : ILoopTimer
    {
        public long? OnDue(long now) => throw new InvalidOperationException("broken timer");
    }
}
