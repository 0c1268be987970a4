using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MobZ.State.Redis;
using MobZ.TestKit.Redis;

namespace MobZ.State.Tests.Conformance;

/// <summary>
/// The conformance suite on a local 3-master Redis Cluster. The suite's own tests were written for one
/// server and commit transactions over untagged keys ("a", "b"), so each test's prefix is itself a hash tag:
/// its keys share one slot. The tests below use production's untagged prefix, so keys spread over all three
/// masters and only their own {hash tags} keep a transaction in one slot.
/// </summary>
public sealed class RedisClusterConformanceTests(RedisCluster cluster)
    : StateConformanceTests,
        IClassFixture<RedisCluster>
{
    private readonly string _prefix = RedisCluster.NewSingleSlotKeyPrefix();

    protected override Task<IStateBackend> OpenAsync(ILoggerFactory loggerFactory) =>
        cluster.CreateBackendAsync(_prefix, loggerFactory);

    protected override async Task<IReadOnlyList<IStateBackend>> OpenClientsAsync(int count)
    {
        var clients = new List<IStateBackend>();
        for (var i = 0; i < count; i++)
            clients.Add(await OpenExtraAsync());
        return clients;
    }

    [Fact]
    public async Task The_configured_endpoint_is_recognised_as_a_cluster()
    {
        Assert.True(Assert.IsType<RedisBackend>(Backend).IsCluster);
        await using var one = await StateBackend.CreateAsync(
            cluster.Configuration.Split(',')[0],
            Logs,
            RedisCluster.NewKeyPrefix()
        );
        Assert.True(Assert.IsType<RedisBackend>(one).IsCluster);
    }

    [Fact]
    public async Task Keys_with_one_hash_tag_commit_together_while_keys_spread_over_every_master()
    {
        await using var backend = await cluster.CreateBackendAsync();
        var store = backend.Store;
        // 30 rooms' keys: their tags hash to slots on all three masters.
        var slots = new HashSet<int>();
        for (var i = 0; i < 30; i++)
        {
            var room = "{room:r" + i + "}";
            slots.Add(HashSlot.Of(room));
            Assert.True(
                await store
                    .CreateTransaction()
                    .When(new StateCondition.HashNotExists(room + ":publishers", "c1"))
                    .HashSet(room + ":publishers", "c1", "p")
                    .HashSet(room, "kind", "m2m")
                    .SortedSetAdd(room + ":heartbeats", "c1", 1)
                    .ExecuteAsync()
            );
            Assert.Equal("m2m", await store.HashGetAsync(room, "kind"));
            Assert.Equal(2, await store.DeleteAsync(room, room + ":publishers"));
        }

        Assert.Contains(slots, s => s < HashSlot.Count / 3);
        Assert.Contains(slots, s => s >= 2 * HashSlot.Count / 3);
    }

    [Fact]
    public async Task A_transaction_across_slots_fails_naming_its_keys()
    {
        await using var backend = await cluster.CreateBackendAsync();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            backend
                .Store.CreateTransaction()
                .When(new StateCondition.HashNotExists("conn:c1", "room"))
                .HashSet("{room:r1}:publishers", "c1", "p")
                .HashSet("conn:c1", "room", "r1")
                .ExecuteAsync()
        );
        Assert.Contains("'conn:c1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'{room:r1}:publishers'", error.Message, StringComparison.Ordinal);
        Assert.Contains("hash tag", error.Message, StringComparison.Ordinal);
        Assert.Null(await backend.Store.HashGetAsync("{room:r1}:publishers", "c1"));

        var delete = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            backend.Store.DeleteAsync("conn:c1", "conn:c2")
        );
        Assert.Contains("'conn:c2'", delete.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_reaches_subscribers_connected_to_other_masters()
    {
        var prefix = RedisCluster.NewKeyPrefix();
        var received = new ConcurrentQueue<string>();
        var subscriptions = new List<IAsyncDisposable>();
        var backends = new List<IStateBackend>();
        try
        {
            // One backend per master as its only endpoint: each SUBSCRIBE and PUBLISH starts from another node.
            foreach (var endpoint in cluster.Configuration.Split(',').Where(part => !part.Contains('=')))
            {
                var backend = await StateBackend.CreateAsync(endpoint + ",protocol=resp3", Logs, prefix);
                backends.Add(backend);
                for (var c = 0; c < 6; c++)
                {
                    var channel = "munit:m" + c + ":signals";
                    subscriptions.Add(await backend.Bus.SubscribeAsync(channel, m =>
                        {
                            received.Enqueue(endpoint + "|" + channel + "|" + m);
                            return Task.CompletedTask;
                        }));
                }
            }

            for (var c = 0; c < 6; c++)
            {
                // No count asserted: on a cluster PUBLISH counts only the receiving node's subscribers.
                await backends[c % backends.Count].Bus.PublishAsync("munit:m" + c + ":signals", "hello");
            }

            await Eventually.WaitUntilAsync(
                () => received.Count == 6 * backends.Count,
                Patience,
                "every subscriber got every message"
            );
        }
        finally
        {
            foreach (var subscription in subscriptions)
                await subscription.DisposeAsync();
            foreach (var backend in backends)
                await backend.DisposeAsync();
        }
    }
}
