namespace MobZ.State.InProcess;

/// <summary>
/// The key → value table behind the in-process store. Every member must be called with <see cref="Gate"/>
/// held: one lock for all keys is what makes transactions atomic, exactly as Redis's single thread does.
/// Expiry is lazy on access (an expired key is invisible at once) plus a periodic sweep that frees memory.
/// </summary>
internal sealed class InProcessKeyspace : IDisposable
{
    public const string WrongTypeMessage = "WRONGTYPE Operation against a key holding the wrong kind of value";
    private const long NoExpiry = long.MaxValue;
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    // Deadlines in order; an item whose key was since deleted or given another deadline is skipped.
    private readonly PriorityQueue<string, long> _deadlines = new();
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;

    public InProcessKeyspace(TimeProvider time)
    {
        _time = time;
        _sweeper = time.CreateTimer(_ => Sweep(), null, SweepInterval, SweepInterval);
    }

    public Lock Gate { get; } = new();

    public long NowMs => _time.GetTimestamp() / Math.Max(1, _time.TimestampFrequency / 1000);

    /// <summary>The live value of <paramref name="key"/>, or null; throws WRONGTYPE when it holds another
    /// kind.</summary>
    public T? Find<T>(string key)
        where T : class
    {
        var entry = FindEntry(key);
        return entry is null ? null : entry.Value as T ?? throw new InvalidOperationException(WrongTypeMessage);
    }

    /// <summary>The value of <paramref name="key"/>, created empty if absent (a new key has no TTL).</summary>
    public T GetOrCreate<T>(string key, Func<T> create)
        where T : class
    {
        var existing = Find<T>(key);
        if (existing is not null)
        {
            return existing;
        }

        var value = create();
        _entries[key] = new Entry(value);
        return value;
    }

    /// <summary>Entries held in memory, expired or not: what the sweep is for.</summary>
    public int StoredCount => _entries.Count;

    public bool Exists(string key) => FindEntry(key) is not null;

    /// <summary>Replaces the value; <paramref name="keepTtl"/> false clears any TTL, as SET does.</summary>
    public void Put(string key, object value, TimeSpan? ttl = null, bool keepTtl = false)
    {
        var entry = FindEntry(key);
        if (entry is null || !keepTtl)
        {
            entry = new Entry(value);
            _entries[key] = entry;
        }
        else
        {
            entry.Value = value;
        }

        if (ttl is { } t)
        {
            SetDeadline(key, entry, t);
        }
    }

    public bool Remove(string key) => FindEntry(key) is not null && _entries.Remove(key);

    /// <summary>Redis deletes a hash, set, sorted set or list when its last element goes; so do we.</summary>
    public void RemoveIfEmpty(string key, int count)
    {
        if (count == 0)
        {
            _entries.Remove(key);
        }
    }

    /// <summary>EXPIRE: a non-positive TTL deletes the key at once.</summary>
    public bool Expire(string key, TimeSpan ttl)
    {
        var entry = FindEntry(key);
        if (entry is null)
        {
            return false;
        }

        if (ttl <= TimeSpan.Zero)
        {
            _entries.Remove(key);
            return true;
        }

        SetDeadline(key, entry, ttl);
        return true;
    }

    public TimeSpan? TimeToLive(string key)
    {
        var entry = FindEntry(key);
        if (entry is null || entry.ExpiresAtMs == NoExpiry)
        {
            return null;
        }

        return TimeSpan.FromMilliseconds(Math.Max(0, entry.ExpiresAtMs - NowMs));
    }

    public void Dispose() => _sweeper.Dispose();

    private Entry? FindEntry(string key)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (entry.ExpiresAtMs <= NowMs)
        {
            _entries.Remove(key);
            return null;
        }

        return entry;
    }

    private void SetDeadline(string key, Entry entry, TimeSpan ttl)
    {
        // Redis keeps TTLs in whole milliseconds; a sub-millisecond TTL still lives one millisecond.
        var ms = Math.Max(1L, (long)Math.Min(Math.Ceiling(ttl.TotalMilliseconds), long.MaxValue / 2));
        var now = NowMs;
        // Saturate rather than overflow into the past for absurdly long TTLs.
        entry.ExpiresAtMs = ms >= NoExpiry - 1 - now ? NoExpiry - 1 : now + ms;
        _deadlines.Enqueue(key, entry.ExpiresAtMs);
    }

    private void Sweep()
    {
        lock (Gate)
        {
            var now = NowMs;
            while (_deadlines.TryPeek(out var key, out var deadline) && deadline <= now)
            {
                _deadlines.Dequeue();
                if (_entries.TryGetValue(key, out var entry) && entry.ExpiresAtMs <= now)
                {
                    _entries.Remove(key);
                }
            }
        }
    }

    private sealed class Entry(object value)
    {
        public object Value { get; set; } = value;
        public long ExpiresAtMs { get; set; } = NoExpiry;
    }
}
