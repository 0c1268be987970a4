using Microsoft.Extensions.Logging;
using MobZ.State.InProcess;

namespace MobZ.State.Tests.Conformance;

public sealed class InProcessConformanceTests : StateConformanceTests
{
    protected override Task<IStateBackend> OpenAsync(ILoggerFactory loggerFactory) =>
        Task.FromResult<IStateBackend>(new InProcessBackend(loggerFactory));

    protected override Task<IReadOnlyList<IStateBackend>> OpenClientsAsync(int count) =>
        Task.FromResult<IReadOnlyList<IStateBackend>>([Backend]);

    [Fact]
    public async Task Factory_without_configuration_builds_the_in_process_backend()
    {
        await using var backend = await StateBackend.CreateAsync(null, Logs);
        Assert.Equal("in-process", backend.Name);
        Assert.IsType<InProcessBackend>(backend);
    }

    [Fact]
    public async Task An_in_process_operation_that_builds_a_key_outside_its_hash_tag_fails_as_a_cluster_would()
    {
        await Store.ListRightPushAsync("{q}:queue", "p1");

        // The record is built from an argument, not from a declared key: on a cluster it would hash to another slot.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Store.RunAsync(ServeHeadUnder.Instance, ["{q}:queue"], ["player:"])
        );
        Assert.Contains("outside its hash tag", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A broken operation: builds its record key from ARGV[1] instead of from a declared key.</summary>
    private sealed class ServeHeadUnder : MobZ.State.Atomic.AtomicOperation<string?>
    {
        public static readonly ServeHeadUnder Instance = new();

        public override string Name => "test.serve-head-under";

        public override string Script => "error('in-process only')";

        public override IReadOnlyList<string?> RunInProcess(
            MobZ.State.Atomic.IAtomicKeyspace keyspace,
            IReadOnlyList<string> keys,
            IReadOnlyList<string> args
        )
        {
            var id = keyspace.ListLeftPop(keys[0]);
            keyspace.HashSet(args[0] + id, "state", "served");
            return [id];
        }

        public override string? Decode(IReadOnlyList<string?> reply, IReadOnlyList<string> args) => reply[0];
    }

    [Fact]
    public async Task Checking_hash_slots_refuses_a_transaction_across_slots_naming_its_keys()
    {
        await using var backend = new InProcessBackend(Logs, checkHashSlots: true);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            backend
                .Store.CreateTransaction()
                .HashSet("{room:r1}:publishers", "c1", "p")
                .HashSet("conn:c1", "room", "r1")
                .ExecuteAsync()
        );
        Assert.Contains("'conn:c1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'{room:r1}:publishers'", error.Message, StringComparison.Ordinal);
        Assert.Null(await backend.Store.HashGetAsync("{room:r1}:publishers", "c1"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => backend.Store.DeleteAsync("conn:c1", "conn:c2"));

        // One tag, one slot: committed.
        Assert.True(
            await backend
                .Store.CreateTransaction()
                .HashSet("{room:r1}:publishers", "c1", "p")
                .HashSet("{room:r1}", "kind", "m2m")
                .ExecuteAsync()
        );
        Assert.Equal(2, await backend.Store.DeleteAsync("{room:r1}", "{room:r1}:publishers"));
    }
}
