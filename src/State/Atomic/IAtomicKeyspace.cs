namespace MobZ.State.Atomic;

/// <summary>
/// The commands an in-process <see cref="AtomicOperation{TResult}"/> runs, each with the semantics of the Redis
/// command of the same name (the Lua script calls those). Synchronous: the keyspace lock is held throughout.
/// A hash, set, sorted set or list disappears with its last element, as in Redis.
/// </summary>
public interface IAtomicKeyspace
{
    bool Exists(string key);
    void Delete(string key);

    /// <summary>GET: the string stored at the key (null when absent or expired).</summary>
    string? StringGet(string key);

    /// <summary>SET key value PX ttl: the string, replacing whatever the key held, gone after
    /// <paramref name="ttl"/>.</summary>
    void StringSet(string key, string value, TimeSpan ttl);

    string? HashGet(string key, string field);
    IReadOnlyDictionary<string, string> HashGetAll(string key);
    void HashSet(string key, string field, string value);
    void HashDelete(string key, string field);
    long HashLength(string key);

    void SetAdd(string key, string member);
    void SetRemove(string key, string member);

    /// <summary>SCARD: how many members the set has (0 when absent).</summary>
    long SetLength(string key);

    /// <summary>SMEMBERS: the members in no defined order (an operation that needs one sorts them).</summary>
    IReadOnlyList<string> SetMembers(string key);

    void SortedSetAdd(string key, string member, double score);
    void SortedSetRemove(string key, string member);
    double? SortedSetScore(string key, string member);

    /// <summary>The members with the lowest scores, lowest first (ZRANGE key 0 take-1).</summary>
    IReadOnlyList<string> SortedSetFirst(string key, int take);

    /// <summary>ZRANGE key 0 -1 WITHSCORES: every member with its score, lowest first (equal scores by member,
    /// byte by byte).</summary>
    IReadOnlyList<ScoredMember> SortedSetAll(string key);

    void ListRightPush(string key, string value);
    void ListLeftPush(string key, string value);
    string? ListLeftPop(string key);
    string? ListIndex(string key, long index);
    void ListRemove(string key, string value);
    long ListLength(string key);

    /// <summary>LPOS: the index of the first element equal to <paramref name="value"/>, or null.</summary>
    long? ListPosition(string key, string value);
}
