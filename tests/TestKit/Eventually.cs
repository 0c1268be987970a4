using System.Diagnostics;
using Xunit.Sdk;

namespace MobZ.TestKit;

/// <summary>
/// Waits for a condition instead of sleeping: polls until it holds or the timeout passes, then fails the
/// test with <c>because</c>. An exception thrown by the condition counts as "not yet" (a server still
/// restarting) and is attached to the failure if the wait runs out.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan MaxPoll = TimeSpan.FromMilliseconds(100);

    public static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string because)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return WaitUntilAsync(() => Task.FromResult(condition()), timeout, because);
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        var poll = FirstPoll;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition().ConfigureAwait(false))
                {
                    return;
                }

                last = null;
            }
            catch (Exception ex)
            {
                last = ex;
            }

            if (clock.Elapsed >= timeout)
            {
                var message = $"Timed out after {timeout.TotalSeconds:0.###} s waiting until {because}";
                throw last is null
                    ? new XunitException(message)
                    : new XunitException(message + $" (last error: {last.Message})", last);
            }

            await Task.Delay(poll).ConfigureAwait(false);
            poll = TimeSpan.FromTicks(Math.Min(MaxPoll.Ticks, poll.Ticks * 2));
        }
    }

    /// <summary>Waits until <paramref name="probe"/> returns a non-null value and returns it.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string because)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        T? result = null;
        await WaitUntilAsync(async () => (result = await probe().ConfigureAwait(false)) is not null, timeout, because)
            .ConfigureAwait(false);
        return result!;
    }
}
