namespace MobZ.State.InProcess;

internal sealed partial class InProcessStore
{
    private static HashSet<string> NewSet() => new(StringComparer.Ordinal);

    public Task<bool> SetAddAsync(string key, string member)
    {
        Validate.Key(key);
        Validate.NotNull(member);
        lock (Gate)
        {
            return Task.FromResult(_keys.GetOrCreate(key, NewSet).Add(member));
        }
    }

    public Task<bool> SetRemoveAsync(string key, string member)
    {
        Validate.Key(key);
        Validate.NotNull(member);
        lock (Gate)
        {
            return Task.FromResult(SetRemoveLocked(key, member));
        }
    }

    public Task<bool> SetContainsAsync(string key, string member)
    {
        Validate.Key(key);
        Validate.NotNull(member);
        lock (Gate)
        {
            return Task.FromResult(_keys.Find<HashSet<string>>(key)?.Contains(member) ?? false);
        }
    }

    public Task<IReadOnlyList<string>> SetMembersAsync(string key)
    {
        Validate.Key(key);
        lock (Gate)
        {
            IReadOnlyList<string> members = _keys.Find<HashSet<string>>(key)?.ToArray() ?? [];
            return Task.FromResult(members);
        }
    }

    public Task<long> SetLengthAsync(string key)
    {
        Validate.Key(key);
        lock (Gate)
        {
            return Task.FromResult((long)(_keys.Find<HashSet<string>>(key)?.Count ?? 0));
        }
    }

    internal bool SetRemoveLocked(string key, string member)
    {
        var set = _keys.Find<HashSet<string>>(key);
        if (set is null || !set.Remove(member))
        {
            return false;
        }

        _keys.RemoveIfEmpty(key, set.Count);
        return true;
    }
}
