using Microsoft.Extensions.Logging;
using MobZ.State.InProcess;
using MobZ.State.Messaging;

namespace MobZ.State.Tests.InProcess;

public sealed class InProcessBusBackpressureTests
{
    [Fact]
    public async Task A_subscriber_too_far_behind_loses_the_overflow_with_a_warning_while_publishing_never_blocks()
    {
        var logs = new CollectingLoggerFactory();
        await using var backend = new InProcessBackend(logs);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var delivered = 0;
        await using var subscription = await backend.Bus.SubscribeAsync("c", async _ =>
        {
            await release.Task;
            Interlocked.Increment(ref delivered);
        });

        var total = OrderedSubscription.QueueCapacity + 100;
        for (var i = 0; i < total; i++)
            await backend.Bus.PublishAsync("c", "m");

        Assert.Contains(logs.Entries, e =>
            e.Level == LogLevel.Warning && e.Message.Contains("dropped", StringComparison.Ordinal)
        );
        release.SetResult();
        // One message was already taken off the queue by the waiting handler when the queue filled.
        await Eventually.WaitUntilAsync(
            () => Volatile.Read(ref delivered) >= OrderedSubscription.QueueCapacity,
            TimeSpan.FromSeconds(20),
            "the queued messages were delivered"
        );
        Assert.InRange(
            Volatile.Read(ref delivered),
            OrderedSubscription.QueueCapacity,
            OrderedSubscription.QueueCapacity + 1
        );
        Assert.True(Volatile.Read(ref delivered) < total);
    }
}
