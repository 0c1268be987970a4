using MobZ.State.Atomic;

namespace MobZ.State.InProcess;

/// <summary>
/// What an in-process atomic operation sees: the Redis commands its script would call, on the store's keyspace,
/// with the lock held by the caller. Every key touched must carry the operation's hash tag, the rule a Redis
/// Cluster enforces on scripts, so an operation that would fail there fails here too.
/// </summary>
internal sealed class InProcessAtomicKeyspace(
    InProcessStore store,
    InProcessKeyspace keys,
    string operation,
    string tag
) : IAtomicKeyspace
{
    public bool Exists(string key) => keys.Exists(Check(key));

    public void Delete(string key) => keys.Remove(Check(key));

    public string? StringGet(string key) =>
        keys.Find<byte[]>(Check(key)) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null;

    public void StringSet(string key, string value, TimeSpan ttl) =>
        store.SetLocked(Check(key), System.Text.Encoding.UTF8.GetBytes(value), Validate.Ttl(ttl), When.Always);

    public string? HashGet(string key, string field) =>
        keys.Find<Dictionary<string, string>>(Check(key)) is { } hash && hash.TryGetValue(field, out var value)
            ? value
            : null;

    public IReadOnlyDictionary<string, string> HashGetAll(string key) =>
        keys.Find<Dictionary<string, string>>(Check(key)) is { } hash
            ? new Dictionary<string, string>(hash, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    public void HashSet(string key, string field, string value) =>
        store.HashSetLocked(Check(key), field, value, When.Always);

    public void HashDelete(string key, string field) => store.HashDeleteLocked(Check(key), field);

    public long HashLength(string key) => keys.Find<Dictionary<string, string>>(Check(key))?.Count ?? 0;

    public void SetAdd(string key, string member) =>
        keys.GetOrCreate(Check(key), () => new HashSet<string>(StringComparer.Ordinal)).Add(member);

    public void SetRemove(string key, string member) => store.SetRemoveLocked(Check(key), member);

    public long SetLength(string key) => keys.Find<HashSet<string>>(Check(key))?.Count ?? 0;

    public IReadOnlyList<string> SetMembers(string key) => keys.Find<HashSet<string>>(Check(key))?.ToArray() ?? [];

    public void SortedSetAdd(string key, string member, double score) =>
        keys.GetOrCreate(Check(key), static () => new SortedSetValue()).Add(member, Validate.Score(score));

    public void SortedSetRemove(string key, string member) => store.SortedSetRemoveLocked(Check(key), member);

    public double? SortedSetScore(string key, string member) => keys.Find<SortedSetValue>(Check(key))?.ScoreOf(member);

    public IReadOnlyList<string> SortedSetFirst(string key, int take) =>
        keys.Find<SortedSetValue>(Check(key)) is { } set
            ? set.RangeByScore(double.NegativeInfinity, double.PositiveInfinity, 0, take).ConvertAll(m => m.Member)
            : [];

    public IReadOnlyList<ScoredMember> SortedSetAll(string key) =>
        keys.Find<SortedSetValue>(Check(key))?.RangeByScore(double.NegativeInfinity, double.PositiveInfinity, 0, -1)
        ?? [];

    public void ListRightPush(string key, string value) =>
        keys.GetOrCreate(Check(key), static () => new List<string>()).Add(value);

    public void ListLeftPush(string key, string value) =>
        keys.GetOrCreate(Check(key), static () => new List<string>()).Insert(0, value);

    public string? ListLeftPop(string key) => store.ListLeftPopLocked(Check(key));

    public string? ListIndex(string key, long index) => store.ListIndexLocked(Check(key), index);

    public void ListRemove(string key, string value) => store.ListRemoveLocked(Check(key), value, 0);

    public long ListLength(string key) => keys.Find<List<string>>(Check(key))?.Count ?? 0;

    public long? ListPosition(string key, string value) =>
        keys.Find<List<string>>(Check(key))?.IndexOf(value) is { } i and >= 0 ? i : null;

    private string Check(string key) =>
        HashTag.Of(Validate.Key(key)) == tag
            ? key
            : throw new InvalidOperationException(
                $"atomic operation {operation} touched '{key}', outside its hash tag {{{tag}}}"
            );
}
