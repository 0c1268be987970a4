using Microsoft.Extensions.Logging.Abstractions;
using MobZ.State.InProcess;

namespace MobZ.State.Tests.InProcess;

public sealed class InProcessKeyspaceTests
{
    [Fact]
    public async Task Expired_keys_that_nobody_reads_again_are_swept_from_memory()
    {
        await using var backend = new InProcessBackend(NullLoggerFactory.Instance);
        for (var i = 0; i < 100; i++)
            await backend.Store.SetStringAsync($"k{i}", "v", TimeSpan.FromMilliseconds(800));
        await backend.Store.SetStringAsync("forever", "v");

        int Stored()
        {
            lock (backend.Keyspace.Gate)
                return backend.Keyspace.StoredCount;
        }

        Assert.Equal(101, Stored());
        await Eventually.WaitUntilAsync(
            () => Stored() == 1,
            TimeSpan.FromSeconds(10),
            "the sweep removed the 100 expired keys"
        );
        Assert.True(await backend.Store.ExistsAsync("forever"));
    }

    [Fact]
    public async Task A_key_rewritten_without_ttl_is_not_swept_by_its_old_deadline()
    {
        await using var backend = new InProcessBackend(NullLoggerFactory.Instance);
        await backend.Store.SetStringAsync("k", "old", TimeSpan.FromMilliseconds(50));
        await backend.Store.SetStringAsync("k", "new");
        await backend.Store.SetStringAsync("probe", "v", TimeSpan.FromMilliseconds(50));

        // Once the probe (same deadline) is swept, the old deadline of "k" has been processed too.
        await Eventually.WaitUntilAsync(
            () =>
            {
                lock (backend.Keyspace.Gate)
                    return backend.Keyspace.StoredCount == 1;
            },
            TimeSpan.FromSeconds(10),
            "the probe was swept"
        );
        Assert.Equal("new", await backend.Store.GetStringAsync("k"));
    }
}
