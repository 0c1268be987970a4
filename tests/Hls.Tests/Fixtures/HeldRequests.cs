using MobZ.TestKit;
using MobZ.TestKit.Time;

namespace MobZ.Hls.Tests.Fixtures;

/// <summary>Blocking requests on a server whose clock is a <see cref="TimerCountingTimeProvider"/>: held, then moved
/// along.</summary>
internal static class HeldRequests
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Waits until a request is held on the server's fake clock: a wait timer beyond the <paramref name="idle"/> ones
    /// is armed, which the server does only after finding the request cannot be answered yet.
    /// </summary>
    public static async Task AssertHeldAsync(TimerCountingTimeProvider time, int idle, Task request, string because)
    {
        await Eventually.WaitUntilAsync(
            () => time.LiveTimers > idle || request.IsCompleted,
            Deadline,
            "the request is held or answered"
        );
        Assert.False(request.IsCompleted, because);
    }

    /// <summary>Moves the server's clock one <paramref name="step"/> each time the held request waits again, until it
    /// is answered.</summary>
    public static async Task<TimeSpan> AdvanceUntilAnsweredAsync(
        TimerCountingTimeProvider time,
        int idle,
        Task request,
        TimeSpan step
    )
    {
        var advanced = TimeSpan.Zero;
        while (!request.IsCompleted)
        {
            await Eventually.WaitUntilAsync(
                () => time.LiveTimers > idle || request.IsCompleted,
                Deadline,
                "the request is held or answered"
            );
            if (request.IsCompleted)
                break;
            time.Advance(step);
            advanced += step;
            Assert.True(advanced < TimeSpan.FromMinutes(1), "the server held the request for a minute of its clock");
        }
        return advanced;
    }
}
