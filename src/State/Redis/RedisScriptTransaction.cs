using System.Globalization;
using MobZ.State.Transactions;
using StackExchange.Redis;

namespace MobZ.State.Redis;

/// <summary>
/// Commits a transaction as one Lua script: the conditions are checked and the writes applied inside a
/// single server step, so no race is possible and no retry is needed. Only condition codes and command names travel
/// as arguments; the script text is constant, so the server caches it (EVALSHA).
/// </summary>
internal static class RedisScriptTransaction
{
    private const string Script = """
        local a = 1
        local function nxt() local v = ARGV[a]; a = a + 1; return v end
        -- A check refused by Redis (WRONGTYPE) means the condition does not hold.
        local REFUSED = {}
        local function q(...)
          local r = redis.pcall(...)
          if type(r) == 'table' and r.err then return REFUSED end
          return r
        end
        local function eq(r, v) return r ~= REFUSED and r == v end
        local function ne(r, v) return r ~= REFUSED and r ~= v end
        local function lt(r, n) return r ~= REFUSED and r < tonumber(n) end
        local conditions = tonumber(nxt())
        for _ = 1, conditions do
          local code = nxt()
          local key = KEYS[tonumber(nxt())]
          local ok
          if code == 'ke' then ok = eq(q('EXISTS', key), 1)
          elseif code == 'kn' then ok = eq(q('EXISTS', key), 0)
          elseif code == 'se' then ok = eq(q('GET', key), nxt())
          elseif code == 'sne' then ok = ne(q('GET', key), nxt())
          elseif code == 'he' then local f = nxt(); ok = eq(q('HGET', key, f), nxt())
          elseif code == 'hne' then local f = nxt(); ok = ne(q('HGET', key, f), nxt())
          elseif code == 'hx' then ok = eq(q('HEXISTS', key, nxt()), 1)
          elseif code == 'hnx' then ok = eq(q('HEXISTS', key, nxt()), 0)
          elseif code == 'hll' then ok = lt(q('HLEN', key), nxt())
          elseif code == 'hle' then ok = eq(q('HLEN', key), tonumber(nxt()))
          elseif code == 'sle' then ok = eq(q('SCARD', key), tonumber(nxt()))
          elseif code == 'sc' then ok = eq(q('SISMEMBER', key, nxt()), 1)
          elseif code == 'snc' then ok = eq(q('SISMEMBER', key, nxt()), 0)
          elseif code == 'zll' then ok = lt(q('ZCARD', key), nxt())
          elseif code == 'lll' then ok = lt(q('LLEN', key), nxt())
          elseif code == 'lle' then ok = eq(q('LLEN', key), tonumber(nxt()))
          elseif code == 'lie' then local i = nxt(); ok = eq(q('LINDEX', key, i), nxt())
          elseif code == 'linx' then ok = eq(q('LINDEX', key, nxt()), false)
          else return redis.error_reply('unknown condition ' .. tostring(code)) end
          if not ok then return 0 end
        end
        local writes = tonumber(nxt())
        for _ = 1, writes do
          local command = nxt()
          local key = KEYS[tonumber(nxt())]
          local count = tonumber(nxt())
          local args = {}
          for j = 1, count do args[j] = nxt() end
          redis.call(command, key, unpack(args))
        end
        return 1
        """;

    public static Task<bool> CommitAsync(
        IDatabase database,
        RedisCall call,
        IReadOnlyList<StateCondition> conditions,
        IReadOnlyList<QueuedOperation> operations
    )
    {
        var keys = new List<RedisKey>();
        var keyIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var args = new List<RedisValue>();

        string Key(string key)
        {
            if (!keyIndex.TryGetValue(key, out var index))
            {
                keys.Add(key);
                index = keys.Count;
                keyIndex.Add(key, index);
            }

            return index.ToString(CultureInfo.InvariantCulture);
        }

        void Add(params RedisValue[] values) => args.AddRange(values);

        Add(conditions.Count);
        foreach (var condition in conditions)
        {
            switch (condition)
            {
                case StateCondition.KeyExists c:
                    Add("ke", Key(c.Key));
                    break;
                case StateCondition.KeyNotExists c:
                    Add("kn", Key(c.Key));
                    break;
                case StateCondition.StringEqual { Value: null } c:
                    Add("kn", Key(c.Key));
                    break;
                case StateCondition.StringEqual c:
                    Add("se", Key(c.Key), c.Value);
                    break;
                case StateCondition.StringNotEqual { Value: null } c:
                    Add("ke", Key(c.Key));
                    break;
                case StateCondition.StringNotEqual c:
                    Add("sne", Key(c.Key), c.Value);
                    break;
                case StateCondition.HashEqual { Value: null } c:
                    Add("hnx", Key(c.Key), c.Field);
                    break;
                case StateCondition.HashEqual c:
                    Add("he", Key(c.Key), c.Field, c.Value);
                    break;
                case StateCondition.HashNotEqual { Value: null } c:
                    Add("hx", Key(c.Key), c.Field);
                    break;
                case StateCondition.HashNotEqual c:
                    Add("hne", Key(c.Key), c.Field, c.Value);
                    break;
                case StateCondition.HashExists c:
                    Add("hx", Key(c.Key), c.Field);
                    break;
                case StateCondition.HashNotExists c:
                    Add("hnx", Key(c.Key), c.Field);
                    break;
                case StateCondition.HashLengthLessThan c:
                    Add("hll", Key(c.Key), c.Length);
                    break;
                case StateCondition.HashLengthEqual c:
                    Add("hle", Key(c.Key), c.Length);
                    break;
                case StateCondition.SetLengthEqual c:
                    Add("sle", Key(c.Key), c.Length);
                    break;
                case StateCondition.SetContains c:
                    Add("sc", Key(c.Key), c.Member);
                    break;
                case StateCondition.SetNotContains c:
                    Add("snc", Key(c.Key), c.Member);
                    break;
                case StateCondition.SortedSetLengthLessThan c:
                    Add("zll", Key(c.Key), c.Length);
                    break;
                case StateCondition.ListLengthLessThan c:
                    Add("lll", Key(c.Key), c.Length);
                    break;
                case StateCondition.ListLengthEqual c:
                    Add("lle", Key(c.Key), c.Length);
                    break;
                case StateCondition.ListIndexEqual { Value: null } c:
                    Add("linx", Key(c.Key), c.Index);
                    break;
                case StateCondition.ListIndexEqual c:
                    Add("lie", Key(c.Key), c.Index, c.Value);
                    break;
                default:
                    throw new NotSupportedException($"Unknown condition {condition.GetType().Name}");
            }
        }

        Add(operations.Count);
        foreach (var operation in operations)
        {
            var (command, operands) = Command(operation);
            Add(command, Key(operation.Key), operands.Length);
            Add(operands);
        }

        var keyArray = keys.ToArray();
        var argArray = args.ToArray();
        return call.Run(async () =>
            (long)await database.ScriptEvaluateAsync(Script, keyArray, argArray).ConfigureAwait(false) == 1
        );
    }

    private static (string Command, RedisValue[] Operands) Command(QueuedOperation operation) =>
        operation switch
        {
            QueuedOperation.Set { Ttl: { } ttl } o => ("SET", [o.Value, "PX", RedisValues.Milliseconds(ttl)]),
            QueuedOperation.Set o => ("SET", [o.Value]),
            QueuedOperation.Delete => ("DEL", []),
            // PEXPIRE with a non-positive time deletes the key, as Expire promises.
            QueuedOperation.Expire o => ("PEXPIRE", [o.Ttl <= TimeSpan.Zero ? -1 : RedisValues.Milliseconds(o.Ttl)]),
            QueuedOperation.Increment o => ("INCRBY", [o.By]),
            QueuedOperation.HashSet o => ("HSET", [o.Field, o.Value]),
            QueuedOperation.HashDelete o => ("HDEL", [o.Field]),
            QueuedOperation.SetAdd o => ("SADD", [o.Member]),
            QueuedOperation.SetRemove o => ("SREM", [o.Member]),
            QueuedOperation.SortedSetAdd o => ("ZADD", [RedisValues.Score(o.Score), o.Member]),
            QueuedOperation.SortedSetRemove o => ("ZREM", [o.Member]),
            QueuedOperation.ListRightPush o => ("RPUSH", [o.Value]),
            QueuedOperation.ListLeftPush o => ("LPUSH", [o.Value]),
            QueuedOperation.ListLeftPop => ("LPOP", []),
            QueuedOperation.ListRemove o => ("LREM", [o.Count, o.Value]),
            _ => throw new NotSupportedException($"Unknown operation {operation.GetType().Name}"),
        };
}
