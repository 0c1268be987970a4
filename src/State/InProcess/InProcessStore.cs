using System.Buffers.Text;
using System.Text;
using MobZ.State.Atomic;

namespace MobZ.State.InProcess;

/// <summary>
/// <see cref="IStateStore"/> in this process's memory with Redis's semantics, command for command.
/// Each method takes the keyspace lock for its whole effect, so it is atomic like a Redis command.
/// The data-type families live in the partial files beside this one.
/// </summary>
/// <param name="slotPrefix">"" to refuse, as a Redis Cluster does, a transaction or multi-key delete whose keys are in
/// different hash slots; null to allow it.</param>
internal sealed partial class InProcessStore(InProcessKeyspace keyspace, string? slotPrefix) : IStateStore
{
    private readonly InProcessKeyspace _keys = keyspace;
    private Lock Gate => _keys.Gate;

    public Task<byte[]?> GetAsync(string key)
    {
        Validate.Key(key);
        lock (Gate)
        {
            // A copy, so a caller that mutates the array cannot change the stored value.
            return Task.FromResult(_keys.Find<byte[]>(key)?.ToArray());
        }
    }

    public Task<string?> GetStringAsync(string key)
    {
        Validate.Key(key);
        lock (Gate)
        {
            var bytes = _keys.Find<byte[]>(key);
            return Task.FromResult(bytes is null ? null : Encoding.UTF8.GetString(bytes));
        }
    }

    public Task<bool> SetAsync(string key, ReadOnlyMemory<byte> value, TimeSpan? ttl = null, When when = When.Always)
    {
        Validate.Key(key);
        Validate.Ttl(ttl);
        lock (Gate)
        {
            return Task.FromResult(SetLocked(key, value.ToArray(), ttl, when));
        }
    }

    public Task<bool> SetStringAsync(string key, string value, TimeSpan? ttl = null, When when = When.Always)
    {
        Validate.Key(key);
        Validate.NotNull(value);
        Validate.Ttl(ttl);
        lock (Gate)
        {
            return Task.FromResult(SetLocked(key, Encoding.UTF8.GetBytes(value), ttl, when));
        }
    }

    public Task<long> IncrementAsync(string key, long by = 1)
    {
        Validate.Key(key);
        lock (Gate)
        {
            return Task.FromResult(IncrementLocked(key, by));
        }
    }

    public Task<bool> ExistsAsync(string key)
    {
        Validate.Key(key);
        lock (Gate)
        {
            return Task.FromResult(_keys.Exists(key));
        }
    }

    public Task<long> DeleteAsync(params string[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
            Validate.Key(key);
        if (slotPrefix is not null && keys.Length > 1)
            HashSlot.EnsureOne(slotPrefix, keys, "This delete");
        lock (Gate)
        {
            long removed = 0;
            foreach (var key in keys)
            {
                if (_keys.Remove(key))
                    removed++;
            }

            return Task.FromResult(removed);
        }
    }

    public Task<bool> ExpireAsync(string key, TimeSpan ttl)
    {
        Validate.Key(key);
        lock (Gate)
        {
            return Task.FromResult(_keys.Expire(key, ttl));
        }
    }

    public Task<TimeSpan?> TimeToLiveAsync(string key)
    {
        Validate.Key(key);
        lock (Gate)
        {
            return Task.FromResult(_keys.TimeToLive(key));
        }
    }

    public IStateTransaction CreateTransaction() => new InProcessTransaction(this, _keys, slotPrefix);

    public Task<TResult> RunAsync<TResult>(
        AtomicOperation<TResult> operation,
        IReadOnlyList<string> keys,
        IReadOnlyList<string> args
    )
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(args);
        var tag = HashTag.Shared(operation.Name, keys);
        IReadOnlyList<string?> reply;
        lock (Gate)
        {
            reply = operation.RunInProcess(new InProcessAtomicKeyspace(this, _keys, operation.Name, tag), keys, args);
        }

        return Task.FromResult(operation.Decode(reply, args));
    }

    internal bool SetLocked(string key, byte[] value, TimeSpan? ttl, When when)
    {
        var exists = _keys.Exists(key);
        if ((when == When.NotExists && exists) || (when == When.Exists && !exists))
        {
            return false;
        }

        _keys.Put(key, value, ttl);
        return true;
    }

    internal long IncrementLocked(string key, long by)
    {
        var current = _keys.Find<byte[]>(key);
        long value = 0;
        if (
            current is not null
            && (!Utf8Parser.TryParse(current, out value, out var consumed) || consumed != current.Length)
        )
        {
            throw new InvalidOperationException("ERR value is not an integer or out of range");
        }

        long next;
        try
        {
            next = checked(value + by);
        }
        catch (OverflowException)
        {
            throw new InvalidOperationException("ERR increment or decrement would overflow");
        }

        // INCR keeps the key's TTL.
        _keys.Put(
            key,
            Encoding.UTF8.GetBytes(next.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            keepTtl: true
        );
        return next;
    }
}
