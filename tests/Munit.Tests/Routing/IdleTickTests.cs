using MobZ.Munit.Routing;
using MobZ.TestKit;
using MobZ.TestKit.Time;

namespace MobZ.Munit.Tests.Routing;

/// <summary>
/// The engine's periodic tick costs CPU on every standby Munit, so it runs only while a publisher or viewer is
/// attached: with nobody attached the engine holds no timer at all, and the first arrival wakes it.
/// </summary>
public sealed class IdleTickTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(MediaEngine.TickIntervalMs);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_engine_with_nobody_attached_holds_no_timer_and_does_no_work()
    {
        var time = new TimerCountingTimeProvider();
        using var engine = new MediaEngine(time: time);
        var publisher = new Publisher("pub-1", new RecordingOutput(), engine.Pool);
        engine.Add(publisher);
        engine.Start();
        await TickOnceAsync(engine, time);

        engine.Remove(publisher);
        // The first tick that finds nobody puts the engine to sleep.
        await Eventually.WaitUntilAsync(
            () =>
            {
                time.Advance(Period);
                return time.LiveTimers == 0;
            },
            Deadline,
            "the engine with nobody attached dropped its tick timer"
        );

        long ticks = engine.TickCount;
        for (int i = 0; i < 250; i++)
            time.Advance(Period); // five seconds of idle
        Assert.Equal(ticks, engine.TickCount);
        Assert.Equal(0, time.LiveTimers);
    }

    [Fact]
    public async Task The_first_publisher_or_viewer_wakes_the_tick_at_its_usual_period()
    {
        var time = new TimerCountingTimeProvider();
        using var engine = new MediaEngine(time: time);
        engine.Start();
        Assert.Equal(0, engine.TickCount);

        var viewer = new Subscriber("viewer-1", new RecordingOutput());
        engine.Add(viewer);
        for (int i = 1; i <= 5; i++)
        {
            // Busy again: every period runs one tick, as before the engine ever slept.
            long before = engine.TickCount;
            await TickOnceAsync(engine, time);
            Assert.Equal(before + 1, engine.TickCount);
        }

        engine.Remove(viewer);
        await Eventually.WaitUntilAsync(
            () =>
            {
                time.Advance(Period);
                return time.LiveTimers == 0;
            },
            Deadline,
            "the engine went back to sleep when its viewer left"
        );
        engine.Add(new Publisher("pub-2", new RecordingOutput(), engine.Pool));
        await TickOnceAsync(engine, time);
    }

    [Fact]
    public async Task A_publisher_that_sends_media_gets_its_receiver_report_from_the_engine_tick()
    {
        var time = new TimerCountingTimeProvider();
        using var rig = new ForwardingRig(simulcast: false, time: time);
        rig.Engine.Start();
        rig.Send(Packets.Opus(ForwardingRig.AudioSsrc, 1, 960), rig.Engine.NowMs);
        await TickOnceAsync(rig.Engine, time);
        // The tick that wrote the report finished before TickCount moved, and the fake clock runs no other.
        Assert.Contains(rig.PublisherOut.RtcpPackets(), p => p.Type == MobZ.Rtc.Rtcp.RtcpPacketType.ReceiverReport);
    }

    /// <summary>Waits for the engine's timer to exist, moves the clock one period and waits for the tick it
    /// runs.</summary>
    private static async Task TickOnceAsync(MediaEngine engine, TimerCountingTimeProvider time)
    {
        await Eventually.WaitUntilAsync(() => time.LiveTimers == 1, Deadline, "the engine armed its tick timer");
        long before = engine.TickCount;
        time.Advance(Period);
        await Eventually.WaitUntilAsync(() => engine.TickCount > before, Deadline, "the engine ticked");
    }
}
