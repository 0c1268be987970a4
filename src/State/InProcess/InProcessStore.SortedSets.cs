namespace MobZ.State.InProcess;

internal sealed partial class InProcessStore
{
    public Task<bool> SortedSetAddAsync(string key, string member, double score)
    {
        Validate.Key(key);
        Validate.NotNull(member);
        Validate.Score(score);
        lock (Gate)
        {
            return Task.FromResult(_keys.GetOrCreate(key, static () => new SortedSetValue()).Add(member, score));
        }
    }

    public Task<bool> SortedSetRemoveAsync(string key, string member)
    {
        Validate.Key(key);
        Validate.NotNull(member);
        lock (Gate)
        {
            return Task.FromResult(SortedSetRemoveLocked(key, member));
        }
    }

    public Task<double?> SortedSetScoreAsync(string key, string member)
    {
        Validate.Key(key);
        Validate.NotNull(member);
        lock (Gate)
        {
            return Task.FromResult(_keys.Find<SortedSetValue>(key)?.ScoreOf(member));
        }
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
            // Answered without looking at the key, exactly as the Redis backend does.
            return Task.FromResult<IReadOnlyList<ScoredMember>>([]);
        }

        lock (Gate)
        {
            IReadOnlyList<ScoredMember> range = _keys.Find<SortedSetValue>(key)?.RangeByScore(min, max, skip, take)
                ?? [];
            return Task.FromResult(range);
        }
    }

    public Task<long> SortedSetLengthAsync(string key)
    {
        Validate.Key(key);
        lock (Gate)
        {
            return Task.FromResult((long)(_keys.Find<SortedSetValue>(key)?.Count ?? 0));
        }
    }

    internal bool SortedSetRemoveLocked(string key, string member)
    {
        var set = _keys.Find<SortedSetValue>(key);
        if (set is null || !set.Remove(member))
        {
            return false;
        }

        _keys.RemoveIfEmpty(key, set.Count);
        return true;
    }
}
