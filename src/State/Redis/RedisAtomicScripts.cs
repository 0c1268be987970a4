using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using MobZ.State.Atomic;
using StackExchange.Redis;

namespace MobZ.State.Redis;

/// <summary>
/// Runs named atomic operations on Redis: each script is loaded once (SCRIPT LOAD on every primary) and then run
/// by its SHA1 (EVALSHA), so only the hash, keys and arguments travel per call. A server that forgot the script (a
/// restart or failover without it, SCRIPT FLUSH) answers NOSCRIPT: the script is loaded again, the reload logged
/// and counted (<see cref="StateMetrics.ScriptLoads"/>), and the call repeated once; a call that still meets
/// NOSCRIPT (a primary that joined mid-call) runs the script text with EVAL, which also caches it there.
/// </summary>
internal sealed class RedisAtomicScripts(IConnectionMultiplexer connection, RedisCall call, ILogger logger)
{
    // Script text → its SHA1 (what Redis names it by), computed here so EVALSHA needs no round trip to learn it.
    private readonly ConcurrentDictionary<string, byte[]> _hashes = new(StringComparer.Ordinal);

    // Each script's load since start, shared by every caller (a burst of first calls loads it once); a failed load or
    // a NOSCRIPT clears the entry.
    private readonly ConcurrentDictionary<string, Lazy<Task>> _loads = new(StringComparer.Ordinal);

    public Task<TResult> RunAsync<TResult>(
        IDatabase database,
        AtomicOperation<TResult> operation,
        IReadOnlyList<string> keys,
        IReadOnlyList<string> args
    )
    {
        HashTag.Shared(operation.Name, keys);
        var script = operation.Script;
        var hash = _hashes.GetOrAdd(script, static s => SHA1.HashData(Encoding.UTF8.GetBytes(s)));
        var redisKeys = new RedisKey[keys.Count];
        for (var i = 0; i < redisKeys.Length; i++)
            redisKeys[i] = keys[i];
        var values = new RedisValue[args.Count];
        for (var i = 0; i < values.Length; i++)
            values[i] = Validate.NotNull(args[i]);

        return call.Run(async () =>
        {
            await EnsureLoadedAsync(operation.Name, script).ConfigureAwait(false);

            RedisResult result;
            try
            {
                result = await database.ScriptEvaluateAsync(hash, redisKeys, values).ConfigureAwait(false);
            }
            catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                _loads.TryRemove(script, out _);
                logger.LogWarning(
                    "Redis did not know the script of atomic operation {Operation} (restarted, failed over or "
                        + "flushed); loading it again",
                    operation.Name
                );
                await LoadAsync(operation.Name, script, "noscript").ConfigureAwait(false);
                try
                {
                    result = await database.ScriptEvaluateAsync(hash, redisKeys, values).ConfigureAwait(false);
                }
                catch (RedisServerException again) when (again.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
                {
                    result = await database.ScriptEvaluateAsync(script, redisKeys, values).ConfigureAwait(false);
                }
            }

            return operation.Decode(Reply(result), args);
        });
    }

    private async Task EnsureLoadedAsync(string name, string script)
    {
        var load = _loads.GetOrAdd(script, s => new Lazy<Task>(() => LoadAsync(name, s, "first_use")));
        try
        {
            await load.Value.ConfigureAwait(false);
        }
        catch
        {
            _loads.TryRemove(KeyValuePair.Create(script, load));
            throw;
        }
    }

    private async Task LoadAsync(string name, string script, string reason)
    {
        foreach (var server in connection.GetServers())
        {
            if (server.IsConnected && !server.IsReplica)
            {
                await server.ScriptLoadAsync(script).ConfigureAwait(false);
            }
        }

        _loads.TryAdd(script, new Lazy<Task>(Task.CompletedTask));
        StateMetrics.ScriptLoads.Add(
            1,
            new KeyValuePair<string, object?>("operation", name),
            new KeyValuePair<string, object?>("reason", reason)
        );
    }

    private static string?[] Reply(RedisResult result)
    {
        if (result.IsNull)
        {
            return [];
        }

        if (result.Resp2Type != ResultType.Array)
        {
            return [(string?)result];
        }

        var items = (RedisResult[])result!;
        var reply = new string?[items.Length];
        for (var i = 0; i < items.Length; i++)
            reply[i] = items[i].IsNull ? null : (string?)items[i];
        return reply;
    }
}
