using MobZ.State.Transactions;
using StackExchange.Redis;

namespace MobZ.State.Redis;

/// <summary>
/// Commits with WATCH / MULTI / EXEC through the client's Conditions. EXEC is refused both when a condition
/// fails and when another client touched a watched key after the check; only the first is a "false" for
/// the caller. A commit that lost that race is tried again after a short random back-off; one that keeps
/// losing (a burst on the same keys) is committed through <see cref="RedisScriptTransaction"/>, which checks
/// and writes in one server step and so cannot lose — without it, a writer that never pauses could keep a
/// commit losing indefinitely. Transactions with set-membership conditions take the script route at once
/// (see <see cref="RedisConditions"/>).
/// </summary>
internal sealed class RedisTransaction(IDatabase database, RedisCall call, string? slotPrefix)
    : StateTransactionBuilder(slotPrefix)
{
    // Lost races before the script takes over: enough for the usual brief overlap of two writers.
    private const int WatchAttempts = 4;

    protected override async Task<bool> CommitAsync()
    {
        var mapped = new Condition[Conditions.Count];
        for (var i = 0; i < mapped.Length; i++)
        {
            var condition = RedisConditions.TryMap(Conditions[i]);
            if (condition is null)
            {
                return await RedisScriptTransaction
                    .CommitAsync(database, call, Conditions, Operations)
                    .ConfigureAwait(false);
            }

            mapped[i] = condition;
        }

        for (var attempt = 1; attempt <= WatchAttempts; attempt++)
        {
            var (committed, lostRace) = await call.Run(() => TryCommitOnceAsync(mapped)).ConfigureAwait(false);
            if (!lostRace)
            {
                return committed;
            }

            // Lost a race: back off a random, growing amount so the contenders spread out.
            await Task.Delay(Random.Shared.Next(0, 1 << (attempt + 2))).ConfigureAwait(false);
        }

        return await RedisScriptTransaction.CommitAsync(database, call, Conditions, Operations).ConfigureAwait(false);
    }

    private async Task<(bool Committed, bool LostRace)> TryCommitOnceAsync(Condition[] conditions)
    {
        var transaction = database.CreateTransaction();
        foreach (var condition in conditions)
        {
            transaction.AddCondition(condition);
        }

        var writes = new List<Task>(Operations.Count);
        foreach (var operation in Operations)
        {
            writes.Add(Queue(transaction, operation));
        }

        var committed = await transaction.ExecuteAsync().ConfigureAwait(false);
        if (committed)
        {
            // Surfaces a write that Redis refused inside EXEC (e.g. WRONGTYPE); the others were applied,
            // as Redis never rolls back.
            await Task.WhenAll(writes).ConfigureAwait(false);
            return (true, false);
        }

        ObserveCancelled(writes);
        // Refused EXEC although every condition held: another client wrote a watched key in between.
        return (false, transaction.WasWatchConflict);
    }

    private static Task Queue(ITransaction t, QueuedOperation operation) =>
        operation switch
        {
            QueuedOperation.Set o => t.StringSetAsync(o.Key, o.Value, RedisValues.Expiry(o.Ttl)),
            QueuedOperation.Delete o => t.KeyDeleteAsync(o.Key),
            QueuedOperation.Expire o => t.KeyExpireAsync(o.Key, RedisValues.ExpireSpan(o.Ttl)),
            QueuedOperation.Increment o => t.StringIncrementAsync(o.Key, o.By),
            QueuedOperation.HashSet o => t.HashSetAsync(o.Key, o.Field, o.Value),
            QueuedOperation.HashDelete o => t.HashDeleteAsync(o.Key, o.Field),
            QueuedOperation.SetAdd o => t.SetAddAsync(o.Key, o.Member),
            QueuedOperation.SetRemove o => t.SetRemoveAsync(o.Key, o.Member),
            QueuedOperation.SortedSetAdd o => t.SortedSetAddAsync(o.Key, o.Member, o.Score),
            QueuedOperation.SortedSetRemove o => t.SortedSetRemoveAsync(o.Key, o.Member),
            QueuedOperation.ListRightPush o => t.ListRightPushAsync(o.Key, o.Value),
            QueuedOperation.ListLeftPush o => t.ListLeftPushAsync(o.Key, o.Value),
            QueuedOperation.ListLeftPop o => t.ListLeftPopAsync(o.Key),
            QueuedOperation.ListRemove o => t.ListRemoveAsync(o.Key, o.Value, o.Count),
            _ => throw new NotSupportedException($"Unknown operation {operation.GetType().Name}"),
        };

    // The queued writes of a refused commit end cancelled; observe them so none surfaces as unobserved.
    private static void ObserveCancelled(List<Task> writes)
    {
        foreach (var write in writes)
        {
            _ = write.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        }
    }
}
