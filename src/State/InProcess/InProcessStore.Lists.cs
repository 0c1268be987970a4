namespace MobZ.State.InProcess;

internal sealed partial class InProcessStore
{
    public Task<long> ListRightPushAsync(string key, string value)
    {
        Validate.Key(key);
        Validate.NotNull(value);
        lock (Gate)
        {
            var list = _keys.GetOrCreate(key, static () => new List<string>());
            list.Add(value);
            return Task.FromResult((long)list.Count);
        }
    }

    public Task<string?> ListLeftPopAsync(string key)
    {
        Validate.Key(key);
        lock (Gate)
        {
            return Task.FromResult(ListLeftPopLocked(key));
        }
    }

    public Task<IReadOnlyList<string>> ListRangeAsync(string key, long start = 0, long stop = -1)
    {
        Validate.Key(key);
        lock (Gate)
        {
            var list = _keys.Find<List<string>>(key);
            if (list is null)
            {
                return Task.FromResult<IReadOnlyList<string>>([]);
            }

            // LRANGE: negative indexes count from the end; out-of-range ends are clamped, never an error.
            long count = list.Count;
            var from = start < 0 ? Math.Max(0, count + start) : start;
            var to = stop < 0 ? count + stop : Math.Min(stop, count - 1);
            IReadOnlyList<string> range =
                from > to || from >= count ? [] : list.GetRange((int)from, (int)(to - from + 1));
            return Task.FromResult(range);
        }
    }

    public Task<long> ListRemoveAsync(string key, string value, long count = 0)
    {
        Validate.Key(key);
        Validate.NotNull(value);
        lock (Gate)
        {
            return Task.FromResult(ListRemoveLocked(key, value, count));
        }
    }

    public Task<long> ListLengthAsync(string key)
    {
        Validate.Key(key);
        lock (Gate)
        {
            return Task.FromResult((long)(_keys.Find<List<string>>(key)?.Count ?? 0));
        }
    }

    /// <summary>LINDEX: negative counts from the end; null when out of range.</summary>
    internal string? ListIndexLocked(string key, long index)
    {
        var list = _keys.Find<List<string>>(key);
        if (list is null)
        {
            return null;
        }

        var i = index < 0 ? list.Count + index : index;
        return i >= 0 && i < list.Count ? list[(int)i] : null;
    }

    internal string? ListLeftPopLocked(string key)
    {
        var list = _keys.Find<List<string>>(key);
        if (list is null)
        {
            return null;
        }

        var head = list[0];
        list.RemoveAt(0);
        _keys.RemoveIfEmpty(key, list.Count);
        return head;
    }

    /// <summary>LREM: count &gt; 0 removes from the head, &lt; 0 from the tail, 0 removes all.</summary>
    internal long ListRemoveLocked(string key, string value, long count)
    {
        var list = _keys.Find<List<string>>(key);
        if (list is null)
        {
            return 0;
        }

        var limit = count switch
        {
            0 or long.MinValue => long.MaxValue,
            _ => Math.Abs(count),
        };
        long removed = 0;
        if (count >= 0)
        {
            for (var i = 0; i < list.Count && removed < limit; )
            {
                if (string.Equals(list[i], value, StringComparison.Ordinal))
                {
                    list.RemoveAt(i);
                    removed++;
                }
                else
                {
                    i++;
                }
            }
        }
        else
        {
            for (var i = list.Count - 1; i >= 0 && removed < limit; i--)
            {
                if (string.Equals(list[i], value, StringComparison.Ordinal))
                {
                    list.RemoveAt(i);
                    removed++;
                }
            }
        }

        _keys.RemoveIfEmpty(key, list.Count);
        return removed;
    }
}
