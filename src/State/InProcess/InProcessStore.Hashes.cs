namespace MobZ.State.InProcess;

internal sealed partial class InProcessStore
{
    private static Dictionary<string, string> NewHash() => new(StringComparer.Ordinal);

    public Task<string?> HashGetAsync(string key, string field)
    {
        Validate.Key(key);
        Validate.NotNull(field);
        lock (Gate)
        {
            var hash = _keys.Find<Dictionary<string, string>>(key);
            return Task.FromResult(hash is not null && hash.TryGetValue(field, out var v) ? v : null);
        }
    }

    public Task<IReadOnlyDictionary<string, string>> HashGetAllAsync(string key)
    {
        Validate.Key(key);
        lock (Gate)
        {
            var hash = _keys.Find<Dictionary<string, string>>(key);
            IReadOnlyDictionary<string, string> copy = hash is null
                ? NewHash()
                : new Dictionary<string, string>(hash, StringComparer.Ordinal);
            return Task.FromResult(copy);
        }
    }

    public Task<bool> HashSetAsync(string key, string field, string value, When when = When.Always)
    {
        Validate.Key(key);
        Validate.NotNull(field);
        Validate.NotNull(value);
        lock (Gate)
        {
            return Task.FromResult(HashSetLocked(key, field, value, when));
        }
    }

    public Task HashSetAsync(string key, IEnumerable<KeyValuePair<string, string>> entries)
    {
        Validate.Key(key);
        ArgumentNullException.ThrowIfNull(entries);
        var list = entries.ToList();
        foreach (var (field, value) in list)
        {
            Validate.NotNull(field);
            Validate.NotNull(value);
        }

        lock (Gate)
        {
            if (list.Count > 0)
            {
                var hash = _keys.GetOrCreate(key, NewHash);
                foreach (var (field, value) in list)
                    hash[field] = value;
            }
        }

        return Task.CompletedTask;
    }

    public Task<bool> HashDeleteAsync(string key, string field)
    {
        Validate.Key(key);
        Validate.NotNull(field);
        lock (Gate)
        {
            return Task.FromResult(HashDeleteLocked(key, field));
        }
    }

    public Task<long> HashLengthAsync(string key)
    {
        Validate.Key(key);
        lock (Gate)
        {
            return Task.FromResult((long)(_keys.Find<Dictionary<string, string>>(key)?.Count ?? 0));
        }
    }

    public Task<long> HashIncrementAsync(string key, string field, long by = 1)
    {
        Validate.Key(key);
        Validate.NotNull(field);
        lock (Gate)
        {
            var hash = _keys.Find<Dictionary<string, string>>(key);
            long value = 0;
            if (
                hash is not null
                && hash.TryGetValue(field, out var current)
                && !long.TryParse(
                    current,
                    System.Globalization.NumberStyles.AllowLeadingSign,
                    System.Globalization.CultureInfo.InvariantCulture,
                    out value
                )
            )
            {
                throw new InvalidOperationException("ERR hash value is not an integer");
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

            _keys.GetOrCreate(key, NewHash)[field] = next.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Task.FromResult(next);
        }
    }

    /// <returns>Always: true when the field was new. NotExists / Exists: true when the value was written.</returns>
    internal bool HashSetLocked(string key, string field, string value, When when)
    {
        var existing = _keys.Find<Dictionary<string, string>>(key);
        var fieldExists = existing is not null && existing.ContainsKey(field);
        switch (when)
        {
            case When.NotExists when fieldExists:
            case When.Exists when !fieldExists:
                return false;
            case When.Exists:
                existing![field] = value;
                return true;
        }

        _keys.GetOrCreate(key, NewHash)[field] = value;
        return !fieldExists;
    }

    internal bool HashDeleteLocked(string key, string field)
    {
        var hash = _keys.Find<Dictionary<string, string>>(key);
        if (hash is null || !hash.Remove(field))
        {
            return false;
        }

        _keys.RemoveIfEmpty(key, hash.Count);
        return true;
    }
}
