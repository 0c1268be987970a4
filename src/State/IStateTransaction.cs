namespace MobZ.State;

/// <summary>
/// Conditions plus queued operations, committed atomically. Operations queued here return nothing;
/// read what you need before, and make the conditions guard what you read.
/// </summary>
public interface IStateTransaction
{
    IStateTransaction When(StateCondition condition);

    IStateTransaction Set(string key, ReadOnlyMemory<byte> value, TimeSpan? ttl = null);
    IStateTransaction SetString(string key, string value, TimeSpan? ttl = null);
    IStateTransaction Delete(string key);
    IStateTransaction Expire(string key, TimeSpan ttl);
    IStateTransaction Increment(string key, long by = 1);
    IStateTransaction HashSet(string key, string field, string value);
    IStateTransaction HashDelete(string key, string field);
    IStateTransaction SetAdd(string key, string member);
    IStateTransaction SetRemove(string key, string member);
    IStateTransaction SortedSetAdd(string key, string member, double score);
    IStateTransaction SortedSetRemove(string key, string member);
    IStateTransaction ListRightPush(string key, string value);

    /// <summary>Puts a value back at the head of a list (e.g. a waiting player whose hand-over failed keeps its
    /// place).</summary>
    IStateTransaction ListLeftPush(string key, string value);
    IStateTransaction ListLeftPop(string key);
    IStateTransaction ListRemove(string key, string value, long count = 0);

    /// <returns>
    /// true when every condition held and all operations were applied; false when a condition did not
    /// hold and nothing was applied. A commit that lost a race with a concurrent writer on a watched key
    /// while its conditions still held is retried internally, so false always means "a condition failed".
    /// </returns>
    Task<bool> ExecuteAsync();
}

/// <summary>
/// A precondition of a transaction, checked in the same atomic step as its writes (on Redis inside the one script
/// that commits the transaction).
/// </summary>
public abstract record StateCondition
{
    private StateCondition() { }

    public sealed record KeyExists(string Key) : StateCondition;

    public sealed record KeyNotExists(string Key) : StateCondition;

    /// <summary>The string value equals <see cref="Value"/>; null means the key does not exist.</summary>
    public sealed record StringEqual(string Key, string? Value) : StateCondition;

    public sealed record StringNotEqual(string Key, string? Value) : StateCondition;

    /// <summary>The hash field equals <see cref="Value"/>; null means the field does not exist.</summary>
    public sealed record HashEqual(string Key, string Field, string? Value) : StateCondition;

    public sealed record HashNotEqual(string Key, string Field, string? Value) : StateCondition;

    public sealed record HashExists(string Key, string Field) : StateCondition;

    public sealed record HashNotExists(string Key, string Field) : StateCondition;

    public sealed record HashLengthLessThan(string Key, long Length) : StateCondition;

    public sealed record HashLengthEqual(string Key, long Length) : StateCondition;

    public sealed record SetContains(string Key, string Member) : StateCondition;

    /// <summary>The set has exactly this many members (0 for a missing key): an optimistic reservation on a set's
    /// size.</summary>
    public sealed record SetLengthEqual(string Key, long Length) : StateCondition;

    public sealed record SetNotContains(string Key, string Member) : StateCondition;

    public sealed record SortedSetLengthLessThan(string Key, long Length) : StateCondition;

    public sealed record ListLengthLessThan(string Key, long Length) : StateCondition;

    public sealed record ListLengthEqual(string Key, long Length) : StateCondition;

    /// <summary>The list element at <see cref="Index"/> equals <see cref="Value"/>; null means no such
    /// element.</summary>
    public sealed record ListIndexEqual(string Key, long Index, string? Value) : StateCondition;
}
