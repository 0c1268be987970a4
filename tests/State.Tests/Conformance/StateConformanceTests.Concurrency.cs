using System.Collections.Concurrent;

namespace MobZ.State.Tests.Conformance;

public abstract partial class StateConformanceTests
{
    private const int Clients = 50;

    [Fact]
    public async Task Fifty_clients_racing_for_nine_publisher_slots_get_exactly_nine()
    {
        var backends = await OpenClientsAsync(5);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable
            .Range(0, Clients)
            .Select(i =>
                Task.Run(async () =>
                {
                    var store = backends[i % backends.Count].Store;
                    var id = $"client-{i:00}";
                    await start.Task;
                    var won = await store
                        .CreateTransaction()
                        .When(new StateCondition.HashLengthLessThan("room:publishers", 9))
                        .When(new StateCondition.HashNotExists("room:publishers", id))
                        .HashSet("room:publishers", id, "publisher")
                        .ExecuteAsync();
                    return (id, won);
                })
            )
            .ToArray();

        start.SetResult();
        var results = await Task.WhenAll(attempts);

        var winners = results.Where(r => r.won).Select(r => r.id).Order().ToArray();
        Assert.Equal(9, winners.Length);
        var seated = await Store.HashGetAllAsync("room:publishers");
        Assert.Equal(winners, seated.Keys.Order().ToArray());
    }

    [Fact]
    public async Task Fifty_clients_popping_twenty_items_take_each_exactly_once()
    {
        var items = Enumerable.Range(0, 20).Select(i => $"item-{i:00}").ToArray();
        foreach (var item in items)
            await Store.ListRightPushAsync("queue", item);

        var backends = await OpenClientsAsync(5);
        var taken = new ConcurrentBag<string>();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var workers = Enumerable
            .Range(0, Clients)
            .Select(i =>
                Task.Run(async () =>
                {
                    var store = backends[i % backends.Count].Store;
                    await start.Task;
                    while (true)
                    {
                        // Read the head, then pop it only if it is still the head: the pattern the queue code uses.
                        var head = await store.ListRangeAsync("queue", 0, 0);
                        if (head.Count == 0)
                            return;
                        var popped = await store
                            .CreateTransaction()
                            .When(new StateCondition.ListIndexEqual("queue", 0, head[0]))
                            .ListLeftPop("queue")
                            .ExecuteAsync();
                        if (popped)
                            taken.Add(head[0]);
                    }
                })
            )
            .ToArray();

        start.SetResult();
        await Task.WhenAll(workers);

        Assert.Equal(items, taken.Order(StringComparer.Ordinal).ToArray());
        Assert.False(await Store.ExistsAsync("queue"));
    }

    [Fact]
    public async Task Concurrent_increments_from_many_clients_lose_no_update()
    {
        var backends = await OpenClientsAsync(5);
        await Task.WhenAll(
            Enumerable
                .Range(0, Clients)
                .Select(i =>
                    Task.Run(async () =>
                    {
                        var store = backends[i % backends.Count].Store;
                        for (var n = 0; n < 10; n++)
                            await store.HashIncrementAsync("munit:load", "streams");
                    })
                )
        );

        Assert.Equal("500", await Store.HashGetAsync("munit:load", "streams"));
    }

    [Fact]
    public async Task A_commit_whose_conditions_hold_succeeds_despite_concurrent_writes_to_its_keys()
    {
        // On Redis every hammer write touches the watched key, aborting EXEC; false is reserved for "a
        // condition did not hold", so the commits must get through anyway. Sixteen writers keep the server
        // busy with the key at all times: a commit that only ever retried its WATCH would never get through.
        var hammer = (await OpenClientsAsync(1))[0].Store;
        using var stop = new CancellationTokenSource();
        var hammering = Task.WhenAll(
            Enumerable
                .Range(0, 16)
                .Select(_ =>
                    Task.Run(async () =>
                    {
                        while (!stop.IsCancellationRequested)
                            await hammer.HashIncrementAsync("room", "heartbeat");
                    })
                )
        );
        await Eventually.WaitUntilAsync(
            async () => await Store.HashGetAsync("room", "heartbeat") is not null,
            Patience,
            "the hammer runs"
        );

        var results = await Task.WhenAll(
            Enumerable
                .Range(0, 100)
                .Select(i =>
                    Store
                        .CreateTransaction()
                        .When(new StateCondition.HashLengthLessThan("room", 1000))
                        .When(new StateCondition.HashNotExists("room", $"member-{i}"))
                        .HashSet("room", $"member-{i}", "joined")
                        .ExecuteAsync()
                )
        );

        stop.Cancel();
        await hammering;
        Assert.All(results, Assert.True);
        Assert.Equal(101, await Store.HashLengthAsync("room"));
    }

    [Fact]
    public async Task A_caller_blocking_after_an_awaited_call_does_not_stall_other_calls()
    {
        await Store.SetStringAsync("k", "v");
        using var blocking = new ManualResetEventSlim();
        using var otherCallFinished = new ManualResetEventSlim();

        var blocker = Task.Run(async () =>
        {
            await Store.GetStringAsync("k");
            // Synchronous work after an await (here: waiting for another call) must not hold up the backend.
            blocking.Set();
            return otherCallFinished.Wait(Patience);
        });
        var other = Task.Run(async () =>
        {
            Assert.True(blocking.Wait(Patience), "the first caller got its answer");
            await Store.SetStringAsync("other", "x");
            otherCallFinished.Set();
        });

        Assert.True(await blocker, "the second call completed while the first caller was blocked");
        await other;
    }
}
