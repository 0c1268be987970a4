using MobZ.State.Transactions;
using StackExchange.Redis;

namespace MobZ.State.Redis;

/// <summary>
/// Commits as one Lua script (<see cref="RedisScriptTransaction"/>): every condition is checked and every write
/// applied in a single server step, so a commit never loses a race and is never retried. Not WATCH / MULTI / EXEC:
/// a conditional transaction there holds the client's one shared connection from WATCH until its checks come back,
/// so under a burst every other command of the process waits behind it, and it can lose to any writer of its keys.
/// </summary>
internal sealed class RedisTransaction(IDatabase database, RedisCall call, string? slotPrefix)
    : StateTransactionBuilder(slotPrefix)
{
    protected override Task<bool> CommitAsync() =>
        RedisScriptTransaction.CommitAsync(database, call, Conditions, Operations);
}
