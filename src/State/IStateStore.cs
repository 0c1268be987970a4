namespace MobZ.State;

/// <summary>
/// The state the signaling, the Regulator and the HLS store keep: plain keys (binary or text), hashes,
/// sets, sorted sets and lists with TTLs, plus conditional multi-key commits.
/// Durable intent lives here; pub/sub (<see cref="IMessageBus"/>) only nudges.
/// Two implementations: Redis (production, multi-node) and in-process (the embedded default of make run).
/// </summary>
public interface IStateStore
{
    // Plain keys.
    Task<byte[]?> GetAsync(string key);
    Task<string?> GetStringAsync(string key);

    /// <returns>false when <paramref name="when"/> did not hold and nothing was written.</returns>
    Task<bool> SetAsync(string key, ReadOnlyMemory<byte> value, TimeSpan? ttl = null, When when = When.Always);
    Task<bool> SetStringAsync(string key, string value, TimeSpan? ttl = null, When when = When.Always);
    Task<long> IncrementAsync(string key, long by = 1);
    Task<bool> ExistsAsync(string key);
    Task<long> DeleteAsync(params string[] keys);

    /// <returns>false when the key does not exist.</returns>
    Task<bool> ExpireAsync(string key, TimeSpan ttl);

    /// <returns>null when the key does not exist or has no TTL.</returns>
    Task<TimeSpan?> TimeToLiveAsync(string key);

    // Hashes.
    Task<string?> HashGetAsync(string key, string field);
    Task<IReadOnlyDictionary<string, string>> HashGetAllAsync(string key);

    /// <returns>
    /// With <see cref="When.Always"/>: true when the field was new. With <see cref="When.NotExists"/> or
    /// <see cref="When.Exists"/>: true when the value was written.
    /// </returns>
    Task<bool> HashSetAsync(string key, string field, string value, When when = When.Always);
    Task HashSetAsync(string key, IEnumerable<KeyValuePair<string, string>> entries);
    Task<bool> HashDeleteAsync(string key, string field);
    Task<long> HashLengthAsync(string key);
    Task<long> HashIncrementAsync(string key, string field, long by = 1);

    // Sets.
    Task<bool> SetAddAsync(string key, string member);
    Task<bool> SetRemoveAsync(string key, string member);
    Task<bool> SetContainsAsync(string key, string member);
    Task<IReadOnlyList<string>> SetMembersAsync(string key);
    Task<long> SetLengthAsync(string key);

    // Sorted sets (ascending by score, ties by member ordinal order, as Redis does).
    Task<bool> SortedSetAddAsync(string key, string member, double score);
    Task<bool> SortedSetRemoveAsync(string key, string member);
    Task<double?> SortedSetScoreAsync(string key, string member);
    Task<IReadOnlyList<ScoredMember>> SortedSetRangeByScoreAsync(
        string key,
        double min = double.NegativeInfinity,
        double max = double.PositiveInfinity,
        long skip = 0,
        long take = -1
    );
    Task<long> SortedSetLengthAsync(string key);

    // Lists.
    Task<long> ListRightPushAsync(string key, string value);
    Task<string?> ListLeftPopAsync(string key);

    /// <summary>Inclusive range; negative indexes count from the end, as LRANGE.</summary>
    Task<IReadOnlyList<string>> ListRangeAsync(string key, long start = 0, long stop = -1);

    /// <returns>how many were removed; <paramref name="count"/> 0 removes all, as LREM.</returns>
    Task<long> ListRemoveAsync(string key, string value, long count = 0);
    Task<long> ListLengthAsync(string key);

    /// <summary>
    /// Starts a conditional multi-key commit: conditions are checked and operations applied as one atomic
    /// step (Redis: one Lua script; in-process: one lock). Nothing runs until <see
    /// cref="IStateTransaction.ExecuteAsync"/>.
    /// </summary>
    IStateTransaction CreateTransaction();

    /// <summary>
    /// Runs a named atomic operation (see <see cref="Atomic.AtomicOperation{TResult}"/>): one step on the server,
    /// never interleaved with another call, never retried. Every key must carry the same hash tag <c>{...}</c>.
    /// </summary>
    Task<TResult> RunAsync<TResult>(
        Atomic.AtomicOperation<TResult> operation,
        IReadOnlyList<string> keys,
        IReadOnlyList<string> args
    );
}

public enum When
{
    Always,

    /// <summary>Only if the key (or hash field) does not exist yet.</summary>
    NotExists,

    /// <summary>Only if the key (or hash field) already exists.</summary>
    Exists,
}

public readonly record struct ScoredMember(string Member, double Score);
