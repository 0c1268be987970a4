using MobZ.State.Transactions;

namespace MobZ.State.InProcess;

/// <summary>Checks every condition and applies every write under the one keyspace lock: nothing interleaves.</summary>
internal sealed class InProcessTransaction(InProcessStore store, InProcessKeyspace keys, string? slotPrefix)
    : StateTransactionBuilder(slotPrefix)
{
    protected override Task<bool> CommitAsync()
    {
        lock (keys.Gate)
        {
            foreach (var condition in Conditions)
            {
                if (!Holds(condition))
                {
                    return Task.FromResult(false);
                }
            }

            foreach (var operation in Operations)
            {
                Apply(operation);
            }

            return Task.FromResult(true);
        }
    }

    /// <summary>
    /// Null-valued string conditions are about existence only. Any other condition that inspects a key
    /// holding another kind of value does not hold — what Redis answers when the check command is refused.
    /// </summary>
    private bool Holds(StateCondition condition)
    {
        switch (condition)
        {
            case StateCondition.StringEqual { Value: null } c:
                return !keys.Exists(c.Key);
            case StateCondition.StringNotEqual { Value: null } c:
                return keys.Exists(c.Key);
        }

        try
        {
            return Check(condition);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private bool Check(StateCondition condition) =>
        condition switch
        {
            StateCondition.KeyExists c => keys.Exists(c.Key),
            StateCondition.KeyNotExists c => !keys.Exists(c.Key),
            StateCondition.StringEqual c => string.Equals(StringOf(c.Key), c.Value, StringComparison.Ordinal),
            StateCondition.StringNotEqual c => !string.Equals(StringOf(c.Key), c.Value, StringComparison.Ordinal),
            StateCondition.HashEqual c => string.Equals(FieldOf(c.Key, c.Field), c.Value, StringComparison.Ordinal),
            StateCondition.HashNotEqual c => !string.Equals(FieldOf(c.Key, c.Field), c.Value, StringComparison.Ordinal),
            StateCondition.HashExists c => FieldOf(c.Key, c.Field) is not null,
            StateCondition.HashNotExists c => FieldOf(c.Key, c.Field) is null,
            StateCondition.HashLengthLessThan c => HashLength(c.Key) < c.Length,
            StateCondition.HashLengthEqual c => HashLength(c.Key) == c.Length,
            StateCondition.SetLengthEqual c => (keys.Find<HashSet<string>>(c.Key)?.Count ?? 0) == c.Length,
            StateCondition.SetContains c => keys.Find<HashSet<string>>(c.Key)?.Contains(c.Member) ?? false,
            StateCondition.SetNotContains c => !(keys.Find<HashSet<string>>(c.Key)?.Contains(c.Member) ?? false),
            StateCondition.SortedSetLengthLessThan c => (keys.Find<SortedSetValue>(c.Key)?.Count ?? 0) < c.Length,
            StateCondition.ListLengthLessThan c => ListLength(c.Key) < c.Length,
            StateCondition.ListLengthEqual c => ListLength(c.Key) == c.Length,
            StateCondition.ListIndexEqual c => string.Equals(
                store.ListIndexLocked(c.Key, c.Index),
                c.Value,
                StringComparison.Ordinal
            ),
            _ => throw new NotSupportedException($"Unknown condition {condition.GetType().Name}"),
        };

    private string? StringOf(string key) =>
        keys.Find<byte[]>(key) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null;

    private string? FieldOf(string key, string field) =>
        keys.Find<Dictionary<string, string>>(key) is { } hash && hash.TryGetValue(field, out var v) ? v : null;

    private long HashLength(string key) => keys.Find<Dictionary<string, string>>(key)?.Count ?? 0;

    private long ListLength(string key) => keys.Find<List<string>>(key)?.Count ?? 0;

    private void Apply(QueuedOperation operation)
    {
        switch (operation)
        {
            case QueuedOperation.Set o:
                store.SetLocked(o.Key, o.Value, o.Ttl, State.When.Always);
                break;
            case QueuedOperation.Delete o:
                keys.Remove(o.Key);
                break;
            case QueuedOperation.Expire o:
                keys.Expire(o.Key, o.Ttl);
                break;
            case QueuedOperation.Increment o:
                store.IncrementLocked(o.Key, o.By);
                break;
            case QueuedOperation.HashSet o:
                store.HashSetLocked(o.Key, o.Field, o.Value, State.When.Always);
                break;
            case QueuedOperation.HashDelete o:
                store.HashDeleteLocked(o.Key, o.Field);
                break;
            case QueuedOperation.SetAdd o:
                keys.GetOrCreate(o.Key, () => new HashSet<string>(StringComparer.Ordinal)).Add(o.Member);
                break;
            case QueuedOperation.SetRemove o:
                store.SetRemoveLocked(o.Key, o.Member);
                break;
            case QueuedOperation.SortedSetAdd o:
                keys.GetOrCreate(o.Key, static () => new SortedSetValue()).Add(o.Member, o.Score);
                break;
            case QueuedOperation.SortedSetRemove o:
                store.SortedSetRemoveLocked(o.Key, o.Member);
                break;
            case QueuedOperation.ListRightPush o:
                keys.GetOrCreate(o.Key, static () => new List<string>()).Add(o.Value);
                break;
            case QueuedOperation.ListLeftPush o:
                keys.GetOrCreate(o.Key, static () => new List<string>()).Insert(0, o.Value);
                break;
            case QueuedOperation.ListLeftPop o:
                store.ListLeftPopLocked(o.Key);
                break;
            case QueuedOperation.ListRemove o:
                store.ListRemoveLocked(o.Key, o.Value, o.Count);
                break;
            default:
                throw new NotSupportedException($"Unknown operation {operation.GetType().Name}");
        }
    }
}
