using System.Text;

namespace MobZ.State.Transactions;

/// <summary>
/// Collects conditions and writes; the backends differ only in how <see cref="ExecuteAsync"/> commits them.
/// Arguments are validated here, at queue time, so a bad call fails where it was made rather than at commit.
/// With a <paramref name="slotPrefix"/> (a Redis Cluster, or an in-process backend asked to behave like one)
/// every key must be in one hash slot: <see cref="ExecuteAsync"/> throws naming the keys otherwise.
/// </summary>
internal abstract class StateTransactionBuilder(string? slotPrefix = null) : IStateTransaction
{
    private readonly List<StateCondition> _conditions = [];
    private readonly List<QueuedOperation> _operations = [];
    private int _executed;

    protected IReadOnlyList<StateCondition> Conditions => _conditions;
    protected IReadOnlyList<QueuedOperation> Operations => _operations;

    public IStateTransaction When(StateCondition condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        _conditions.Add(condition);
        return this;
    }

    public IStateTransaction Set(string key, ReadOnlyMemory<byte> value, TimeSpan? ttl = null) =>
        Queue(new QueuedOperation.Set(key, value.ToArray(), Validate.Ttl(ttl)));

    public IStateTransaction SetString(string key, string value, TimeSpan? ttl = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Queue(new QueuedOperation.Set(key, Encoding.UTF8.GetBytes(value), Validate.Ttl(ttl)));
    }

    public IStateTransaction Delete(string key) => Queue(new QueuedOperation.Delete(key));

    public IStateTransaction Expire(string key, TimeSpan ttl) => Queue(new QueuedOperation.Expire(key, ttl));

    public IStateTransaction Increment(string key, long by = 1) => Queue(new QueuedOperation.Increment(key, by));

    public IStateTransaction HashSet(string key, string field, string value) =>
        Queue(new QueuedOperation.HashSet(key, Validate.NotNull(field), Validate.NotNull(value)));

    public IStateTransaction HashDelete(string key, string field) =>
        Queue(new QueuedOperation.HashDelete(key, Validate.NotNull(field)));

    public IStateTransaction SetAdd(string key, string member) =>
        Queue(new QueuedOperation.SetAdd(key, Validate.NotNull(member)));

    public IStateTransaction SetRemove(string key, string member) =>
        Queue(new QueuedOperation.SetRemove(key, Validate.NotNull(member)));

    public IStateTransaction SortedSetAdd(string key, string member, double score) =>
        Queue(new QueuedOperation.SortedSetAdd(key, Validate.NotNull(member), Validate.Score(score)));

    public IStateTransaction SortedSetRemove(string key, string member) =>
        Queue(new QueuedOperation.SortedSetRemove(key, Validate.NotNull(member)));

    public IStateTransaction ListRightPush(string key, string value) =>
        Queue(new QueuedOperation.ListRightPush(key, Validate.NotNull(value)));

    public IStateTransaction ListLeftPush(string key, string value) =>
        Queue(new QueuedOperation.ListLeftPush(key, Validate.NotNull(value)));

    public IStateTransaction ListLeftPop(string key) => Queue(new QueuedOperation.ListLeftPop(key));

    public IStateTransaction ListRemove(string key, string value, long count = 0) =>
        Queue(new QueuedOperation.ListRemove(key, Validate.NotNull(value), count));

    public Task<bool> ExecuteAsync()
    {
        // A transaction is a one-shot value: committing it twice would apply its writes twice.
        if (Interlocked.Exchange(ref _executed, 1) != 0)
        {
            throw new InvalidOperationException("This transaction was already executed; create a new one.");
        }

        if (slotPrefix is not null)
        {
            HashSlot.EnsureOne(
                slotPrefix,
                _conditions.Select(KeyOf).Concat(_operations.Select(o => o.Key)),
                "This transaction"
            );
        }

        return CommitAsync();
    }

    protected abstract Task<bool> CommitAsync();

    private static string KeyOf(StateCondition condition) =>
        condition switch
        {
            StateCondition.KeyExists c => c.Key,
            StateCondition.KeyNotExists c => c.Key,
            StateCondition.StringEqual c => c.Key,
            StateCondition.StringNotEqual c => c.Key,
            StateCondition.HashEqual c => c.Key,
            StateCondition.HashNotEqual c => c.Key,
            StateCondition.HashExists c => c.Key,
            StateCondition.HashNotExists c => c.Key,
            StateCondition.HashLengthLessThan c => c.Key,
            StateCondition.HashLengthEqual c => c.Key,
            StateCondition.SetContains c => c.Key,
            StateCondition.SetLengthEqual c => c.Key,
            StateCondition.SetNotContains c => c.Key,
            StateCondition.SortedSetLengthLessThan c => c.Key,
            StateCondition.ListLengthLessThan c => c.Key,
            StateCondition.ListLengthEqual c => c.Key,
            StateCondition.ListIndexEqual c => c.Key,
            _ => throw new NotSupportedException($"Unknown condition {condition.GetType().Name}"),
        };

    private StateTransactionBuilder Queue(QueuedOperation operation)
    {
        Validate.Key(operation.Key);
        if (Volatile.Read(ref _executed) != 0)
        {
            throw new InvalidOperationException("This transaction was already executed; create a new one.");
        }

        _operations.Add(operation);
        return this;
    }
}
