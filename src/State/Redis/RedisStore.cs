using MobZ.State.Atomic;
using StackExchange.Redis;

namespace MobZ.State.Redis;

/// <summary>
/// <see cref="IStateStore"/> on Redis: one command per method, so each is atomic on the server. Values are
/// stored as they are given (bytes stay bytes). Keys carry the backend's prefix through the database wrapper.
/// </summary>
/// <param name="slotPrefix">The key prefix while the server is a Redis Cluster (transactions and multi-key deletes
/// must keep their keys in one hash slot, checked before sending), null otherwise.</param>
internal sealed class RedisStore(
    IDatabase database,
    RedisCall call,
    RedisAtomicScripts scripts,
    Func<string?> slotPrefix
) : IStateStore
{
    // HSET only if the field exists: Redis has HSETNX but no "XX" form for hashes.
    private const string HashSetIfExistsScript =
        "if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1 end return 0";

    private readonly IDatabase _db = database;

    public Task<byte[]?> GetAsync(string key)
    {
        Validate.Key(key);
        return call.Run(async () => (byte[]?)await _db.StringGetAsync(key).ConfigureAwait(false));
    }

    public Task<string?> GetStringAsync(string key)
    {
        Validate.Key(key);
        return call.Run(async () => (string?)await _db.StringGetAsync(key).ConfigureAwait(false));
    }

    public Task<bool> SetAsync(
        string key,
        ReadOnlyMemory<byte> value,
        TimeSpan? ttl = null,
        State.When when = State.When.Always
    )
    {
        Validate.Key(key);
        Validate.Ttl(ttl);
        var bytes = RedisValues.Bytes(value);
        return call.Run(() => _db.StringSetAsync(key, bytes, RedisValues.Expiry(ttl), RedisValues.Map(when)));
    }

    public Task<bool> SetStringAsync(
        string key,
        string value,
        TimeSpan? ttl = null,
        State.When when = State.When.Always
    )
    {
        Validate.Key(key);
        Validate.NotNull(value);
        Validate.Ttl(ttl);
        return call.Run(() => _db.StringSetAsync(key, value, RedisValues.Expiry(ttl), RedisValues.Map(when)));
    }

    public Task<long> IncrementAsync(string key, long by = 1)
    {
        Validate.Key(key);
        return call.Run(() => _db.StringIncrementAsync(key, by));
    }

    public Task<bool> ExistsAsync(string key)
    {
        Validate.Key(key);
        return call.Run(() => _db.KeyExistsAsync(key));
    }

    public Task<long> DeleteAsync(params string[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
            Validate.Key(key);
        if (keys.Length == 0)
        {
            return Task.FromResult(0L);
        }

        if (keys.Length > 1 && slotPrefix() is { } prefix)
            HashSlot.EnsureOne(prefix, keys, "This delete");
        var redisKeys = Array.ConvertAll(keys, k => (RedisKey)k);
        return call.Run(() => _db.KeyDeleteAsync(redisKeys));
    }

    public Task<bool> ExpireAsync(string key, TimeSpan ttl)
    {
        Validate.Key(key);
        return call.Run(() => _db.KeyExpireAsync(key, RedisValues.ExpireSpan(ttl)));
    }

    public Task<TimeSpan?> TimeToLiveAsync(string key)
    {
        Validate.Key(key);
        return call.Run(() => _db.KeyTimeToLiveAsync(key));
    }

    public Task<string?> HashGetAsync(string key, string field)
    {
        Validate.Key(key);
        Validate.NotNull(field);
        return call.Run(async () => (string?)await _db.HashGetAsync(key, field).ConfigureAwait(false));
    }

    public Task<IReadOnlyDictionary<string, string>> HashGetAllAsync(string key)
    {
        Validate.Key(key);
        return call.Run<IReadOnlyDictionary<string, string>>(async () =>
        {
            var entries = await _db.HashGetAllAsync(key).ConfigureAwait(false);
            var result = new Dictionary<string, string>(entries.Length, StringComparer.Ordinal);
            foreach (var entry in entries)
                result[(string)entry.Name!] = (string)entry.Value!;
            return result;
        });
    }

    public Task<bool> HashSetAsync(string key, string field, string value, State.When when = State.When.Always)
    {
        Validate.Key(key);
        Validate.NotNull(field);
        Validate.NotNull(value);
        if (when == State.When.Exists)
        {
            return call.Run(async () =>
                (long)await _db.ScriptEvaluateAsync(HashSetIfExistsScript, [key], [field, value]).ConfigureAwait(false)
                == 1
            );
        }

        return call.Run(() => _db.HashSetAsync(key, field, value, RedisValues.Map(when)));
    }

    public Task HashSetAsync(string key, IEnumerable<KeyValuePair<string, string>> entries)
    {
        Validate.Key(key);
        ArgumentNullException.ThrowIfNull(entries);
        var fields = entries.Select(e => new HashEntry(Validate.NotNull(e.Key), Validate.NotNull(e.Value))).ToArray();
        // HSET with no fields is a syntax error in Redis; an empty update is simply nothing to do.
        return fields.Length == 0 ? Task.CompletedTask : call.Run(() => _db.HashSetAsync(key, fields));
    }

    public Task<bool> HashDeleteAsync(string key, string field)
    {
        Validate.Key(key);
        Validate.NotNull(field);
        return call.Run(() => _db.HashDeleteAsync(key, field));
    }

    public Task<long> HashLengthAsync(string key)
    {
        Validate.Key(key);
        return call.Run(() => _db.HashLengthAsync(key));
    }

    public Task<long> HashIncrementAsync(string key, string field, long by = 1)
    {
        Validate.Key(key);
        Validate.NotNull(field);
        return call.Run(() => _db.HashIncrementAsync(key, field, by));
    }

    public Task<bool> SetAddAsync(string key, string member)
    {
        Validate.Key(key);
        Validate.NotNull(member);
        return call.Run(() => _db.SetAddAsync(key, member));
    }

    public Task<bool> SetRemoveAsync(string key, string member)
    {
        Validate.Key(key);
        Validate.NotNull(member);
        return call.Run(() => _db.SetRemoveAsync(key, member));
    }

    public Task<bool> SetContainsAsync(string key, string member)
    {
        Validate.Key(key);
        Validate.NotNull(member);
        return call.Run(() => _db.SetContainsAsync(key, member));
    }

    public Task<IReadOnlyList<string>> SetMembersAsync(string key)
    {
        Validate.Key(key);
        return call.Run<IReadOnlyList<string>>(async () =>
            Array.ConvertAll(await _db.SetMembersAsync(key).ConfigureAwait(false), v => (string)v!)
        );
    }

    public Task<long> SetLengthAsync(string key)
    {
        Validate.Key(key);
        return call.Run(() => _db.SetLengthAsync(key));
    }

    public Task<bool> SortedSetAddAsync(string key, string member, double score)
    {
        Validate.Key(key);
        Validate.NotNull(member);
        Validate.Score(score);
        return call.Run(() => _db.SortedSetAddAsync(key, member, score));
    }

    public Task<bool> SortedSetRemoveAsync(string key, string member)
    {
        Validate.Key(key);
        Validate.NotNull(member);
        return call.Run(() => _db.SortedSetRemoveAsync(key, member));
    }

    public Task<double?> SortedSetScoreAsync(string key, string member)
    {
        Validate.Key(key);
        Validate.NotNull(member);
        return call.Run(() => _db.SortedSetScoreAsync(key, member));
    }

    public Task<IReadOnlyList<ScoredMember>> SortedSetRangeByScoreAsync(
        string key,
        double min = double.NegativeInfinity,
        double max = double.PositiveInfinity,
        long skip = 0,
        long take = -1
    )
    {
        Validate.Key(key);
        Validate.Score(min);
        Validate.Score(max);
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        if (take == 0 || min > max)
        {
            // The client swaps reversed bounds (its descending convenience) where ZRANGEBYSCORE returns
            // nothing; and zero requested means zero returned.
            return Task.FromResult<IReadOnlyList<ScoredMember>>([]);
        }

        return call.Run<IReadOnlyList<ScoredMember>>(async () =>
        {
            var entries = await _db.SortedSetRangeByScoreWithScoresAsync(
                    key,
                    min,
                    max,
                    Exclude.None,
                    Order.Ascending,
                    skip,
                    take < 0 ? -1 : take
                )
                .ConfigureAwait(false);
            return Array.ConvertAll(entries, e => new ScoredMember((string)e.Element!, e.Score));
        });
    }

    public Task<long> SortedSetLengthAsync(string key)
    {
        Validate.Key(key);
        return call.Run(() => _db.SortedSetLengthAsync(key));
    }

    public Task<long> ListRightPushAsync(string key, string value)
    {
        Validate.Key(key);
        Validate.NotNull(value);
        return call.Run(() => _db.ListRightPushAsync(key, value));
    }

    public Task<string?> ListLeftPopAsync(string key)
    {
        Validate.Key(key);
        return call.Run(async () => (string?)await _db.ListLeftPopAsync(key).ConfigureAwait(false));
    }

    public Task<IReadOnlyList<string>> ListRangeAsync(string key, long start = 0, long stop = -1)
    {
        Validate.Key(key);
        return call.Run<IReadOnlyList<string>>(async () =>
            Array.ConvertAll(await _db.ListRangeAsync(key, start, stop).ConfigureAwait(false), v => (string)v!)
        );
    }

    public Task<long> ListRemoveAsync(string key, string value, long count = 0)
    {
        Validate.Key(key);
        Validate.NotNull(value);
        return call.Run(() => _db.ListRemoveAsync(key, value, count));
    }

    public Task<long> ListLengthAsync(string key)
    {
        Validate.Key(key);
        return call.Run(() => _db.ListLengthAsync(key));
    }

    public IStateTransaction CreateTransaction() => new RedisTransaction(_db, call, slotPrefix());

    public Task<TResult> RunAsync<TResult>(
        AtomicOperation<TResult> operation,
        IReadOnlyList<string> keys,
        IReadOnlyList<string> args
    )
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(args);
        return scripts.RunAsync(_db, operation, keys, args);
    }
}
