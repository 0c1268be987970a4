namespace MobZ.State.Transactions;

/// <summary>One write queued in a transaction; each backend applies the list in order once the conditions
/// hold.</summary>
internal abstract record QueuedOperation(string Key)
{
    public sealed record Set(string Key, byte[] Value, TimeSpan? Ttl) : QueuedOperation(Key);

    public sealed record Delete(string Key) : QueuedOperation(Key);

    public sealed record Expire(string Key, TimeSpan Ttl) : QueuedOperation(Key);

    public sealed record Increment(string Key, long By) : QueuedOperation(Key);

    public sealed record HashSet(string Key, string Field, string Value) : QueuedOperation(Key);

    public sealed record HashDelete(string Key, string Field) : QueuedOperation(Key);

    public sealed record SetAdd(string Key, string Member) : QueuedOperation(Key);

    public sealed record SetRemove(string Key, string Member) : QueuedOperation(Key);

    public sealed record SortedSetAdd(string Key, string Member, double Score) : QueuedOperation(Key);

    public sealed record SortedSetRemove(string Key, string Member) : QueuedOperation(Key);

    public sealed record ListRightPush(string Key, string Value) : QueuedOperation(Key);

    public sealed record ListLeftPush(string Key, string Value) : QueuedOperation(Key);

    public sealed record ListLeftPop(string Key) : QueuedOperation(Key);

    public sealed record ListRemove(string Key, string Value, long Count) : QueuedOperation(Key);
}
