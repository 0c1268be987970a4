using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MobZ.State.Tests.Conformance;

public abstract partial class StateConformanceTests
{
    [Fact]
    public async Task Messages_reach_a_subscriber_in_publish_order()
    {
        var received = new ConcurrentQueue<string>();
        await using var subscription = await Bus.SubscribeAsync("room:1", m =>
        {
            received.Enqueue(m);
            return Task.CompletedTask;
        });

        var sent = Enumerable.Range(0, 200).Select(i => $"m{i}").ToArray();
        foreach (var message in sent)
            await Bus.PublishAsync("room:1", message);

        await Eventually.WaitUntilAsync(() => received.Count == sent.Length, Patience, "all 200 messages arrived");
        Assert.Equal(sent, received.ToArray());
    }

    [Fact]
    public async Task A_burst_from_another_client_reaches_a_subscriber_in_publish_order()
    {
        var other = (await OpenClientsAsync(1))[0];
        var received = new ConcurrentQueue<string>();
        await using var subscription = await Bus.SubscribeAsync("burst", m =>
        {
            received.Enqueue(m);
            return Task.CompletedTask;
        });

        // Sent back to back without waiting for each answer, so they arrive together and are handed over at once.
        var sent = Enumerable.Range(0, 5000).Select(i => $"m{i}").ToArray();
        await Task.WhenAll(sent.Select(m => other.Bus.PublishAsync("burst", m)).ToArray());

        await Eventually.WaitUntilAsync(() => received.Count == sent.Length, Patience, "all 5,000 messages arrived");
        Assert.Equal(sent, received.ToArray());
    }

    [Fact]
    public async Task An_async_handler_finishes_one_message_before_the_next_starts()
    {
        var running = 0;
        var overlapped = false;
        var received = new ConcurrentQueue<string>();
        await using var subscription = await Bus.SubscribeAsync("c", async m =>
        {
            if (Interlocked.Increment(ref running) > 1)
                overlapped = true;
            await Task.Yield();
            received.Enqueue(m);
            Interlocked.Decrement(ref running);
        });

        var sent = Enumerable.Range(0, 50).Select(i => i.ToString()).ToArray();
        await Task.WhenAll(sent.Select(async m => await Bus.PublishAsync("c", m)));

        await Eventually.WaitUntilAsync(() => received.Count == sent.Length, Patience, "all 50 messages arrived");
        Assert.False(overlapped, "two messages of one subscription were handled at the same time");
    }

    [Fact]
    public async Task Publish_counts_zero_without_subscribers_and_more_with_them()
    {
        Assert.Equal(0, await Bus.PublishAsync("nobody", "x"));
        await using var subscription = await Bus.SubscribeAsync("somebody", _ => Task.CompletedTask);
        Assert.True(await Bus.PublishAsync("somebody", "x") > 0);
    }

    [Fact]
    public async Task A_message_published_before_subscribing_is_never_delivered()
    {
        Assert.Equal(0, await Bus.PublishAsync("late", "early"));

        var received = new ConcurrentQueue<string>();
        await using var subscription = await Bus.SubscribeAsync("late", m =>
        {
            received.Enqueue(m);
            return Task.CompletedTask;
        });
        await Bus.PublishAsync("late", "on-time");

        // Per-channel order is kept, so had "early" been buffered it would have come first.
        await Eventually.WaitUntilAsync(
            () => received.Contains("on-time"),
            Patience,
            "the message sent while subscribed arrived"
        );
        Assert.Equal(["on-time"], received.ToArray());
    }

    [Fact]
    public async Task An_unsubscribed_handler_gets_nothing_more_while_others_still_do()
    {
        var gone = new ConcurrentQueue<string>();
        var staying = new ConcurrentQueue<string>();
        var leaving = await Bus.SubscribeAsync("c", m =>
        {
            gone.Enqueue(m);
            return Task.CompletedTask;
        });
        await using var stays = await Bus.SubscribeAsync("c", m =>
        {
            staying.Enqueue(m);
            return Task.CompletedTask;
        });

        await Bus.PublishAsync("c", "before");
        await Eventually.WaitUntilAsync(
            () => gone.Contains("before") && staying.Contains("before"),
            Patience,
            "both got the first message"
        );

        await leaving.DisposeAsync();
        await leaving.DisposeAsync();
        await Bus.PublishAsync("c", "after-1");
        await Bus.PublishAsync("c", "after-2");
        await Eventually.WaitUntilAsync(
            () => staying.Contains("after-2"),
            Patience,
            "the remaining subscriber got both later messages"
        );

        Assert.Equal(["before"], gone.ToArray());
        Assert.Equal(["before", "after-1", "after-2"], staying.ToArray());
    }

    [Fact]
    public async Task Disposing_the_only_subscription_leaves_the_channel_without_listeners()
    {
        var subscription = await Bus.SubscribeAsync("c", _ => Task.CompletedTask);
        Assert.True(await Bus.PublishAsync("c", "x") > 0);
        await subscription.DisposeAsync();
        // On Redis the count comes from the server, so this proves UNSUBSCRIBE reached it.
        await Eventually.WaitUntilAsync(
            async () => await Bus.PublishAsync("c", "x") == 0,
            Patience,
            "nobody listens any more"
        );
    }

    [Fact]
    public async Task A_throwing_subscriber_is_logged_and_neither_it_nor_others_stop_receiving()
    {
        var attempts = new ConcurrentQueue<string>();
        var healthy = new ConcurrentQueue<string>();
        await using var broken = await Bus.SubscribeAsync("c", m =>
        {
            attempts.Enqueue(m);
            throw new InvalidOperationException("handler bug " + m);
        });
        await using var fine = await Bus.SubscribeAsync("c", m =>
        {
            healthy.Enqueue(m);
            return Task.CompletedTask;
        });

        foreach (var m in new[] { "1", "2", "3" })
            await Bus.PublishAsync("c", m);

        await Eventually.WaitUntilAsync(
            () => healthy.Count == 3 && attempts.Count == 3,
            Patience,
            "both subscribers saw all three"
        );
        Assert.Equal(["1", "2", "3"], healthy.ToArray());
        Assert.Equal(["1", "2", "3"], attempts.ToArray());
        await Eventually.WaitUntilAsync(
            () =>
                Logs.Entries.Count(e =>
                    e.Level == LogLevel.Error
                    && e.Exception?.Message.StartsWith("handler bug", StringComparison.Ordinal) == true
                ) == 3,
            Patience,
            "each failure was logged as an error"
        );
    }

    [Fact]
    public async Task A_stuck_subscriber_delays_neither_the_publisher_nor_other_subscribers()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new ConcurrentQueue<string>();
        var fast = new ConcurrentQueue<string>();
        await using var stuck = await Bus.SubscribeAsync("c", async m =>
        {
            await release.Task;
            slow.Enqueue(m);
        });
        await using var quick = await Bus.SubscribeAsync("c", m =>
        {
            fast.Enqueue(m);
            return Task.CompletedTask;
        });

        var sent = Enumerable.Range(0, 20).Select(i => i.ToString()).ToArray();
        foreach (var m in sent)
            await Bus.PublishAsync("c", m);

        await Eventually.WaitUntilAsync(
            () => fast.Count == sent.Length,
            Patience,
            "the quick subscriber got everything"
        );
        Assert.Empty(slow);

        release.SetResult();
        await Eventually.WaitUntilAsync(() => slow.Count == sent.Length, Patience, "the stuck subscriber caught up");
        Assert.Equal(sent, slow.ToArray());
    }

    [Fact]
    public async Task Channels_are_independent()
    {
        var a = new ConcurrentQueue<string>();
        var b = new ConcurrentQueue<string>();
        await using var sa = await Bus.SubscribeAsync("a", m =>
        {
            a.Enqueue(m);
            return Task.CompletedTask;
        });
        await using var sb = await Bus.SubscribeAsync("b", m =>
        {
            b.Enqueue(m);
            return Task.CompletedTask;
        });

        await Bus.PublishAsync("a", "for-a");
        await Bus.PublishAsync("b", "for-b");
        await Eventually.WaitUntilAsync(() => a.Count == 1 && b.Count == 1, Patience, "each channel got its message");
        Assert.Equal(["for-a"], a.ToArray());
        Assert.Equal(["for-b"], b.ToArray());
    }

    [Fact]
    public async Task A_message_from_another_client_reaches_this_one()
    {
        var other = (await OpenClientsAsync(1))[0];
        var received = new ConcurrentQueue<string>();
        await using var subscription = await Bus.SubscribeAsync("munit:1", m =>
        {
            received.Enqueue(m);
            return Task.CompletedTask;
        });
        Assert.True(await other.Bus.PublishAsync("munit:1", "assign") > 0);
        await Eventually.WaitUntilAsync(
            () => received.Contains("assign"),
            Patience,
            "the other client's message arrived"
        );
    }
}
