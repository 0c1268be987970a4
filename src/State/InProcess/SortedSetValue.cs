namespace MobZ.State.InProcess;

/// <summary>A Redis sorted set: member → score, kept ordered by (score, member bytes).</summary>
internal sealed class SortedSetValue
{
    private readonly Dictionary<string, double> _scores = new(StringComparer.Ordinal);
    private readonly SortedSet<ScoredMember> _ordered = new(ScoreThenMember.Instance);

    public int Count => _scores.Count;

    public double? ScoreOf(string member) => _scores.TryGetValue(member, out var s) ? s : null;

    /// <returns>true when the member was new (ZADD's count).</returns>
    public bool Add(string member, double score)
    {
        if (_scores.TryGetValue(member, out var old))
        {
            _ordered.Remove(new ScoredMember(member, old));
            _scores[member] = score;
            _ordered.Add(new ScoredMember(member, score));
            return false;
        }

        _scores.Add(member, score);
        _ordered.Add(new ScoredMember(member, score));
        return true;
    }

    public bool Remove(string member)
    {
        if (!_scores.Remove(member, out var score))
        {
            return false;
        }

        _ordered.Remove(new ScoredMember(member, score));
        return true;
    }

    public List<ScoredMember> RangeByScore(double min, double max, long skip, long take)
    {
        var result = new List<ScoredMember>();
        if (min > max || take == 0)
        {
            return result;
        }

        // The empty member sorts before every member of score min; the null sentinel after every member of score max.
        var view = _ordered.GetViewBetween(new ScoredMember(string.Empty, min), new ScoredMember(AfterAllMembers, max));
        long index = 0;
        foreach (var item in view)
        {
            if (item.Score < min || item.Score > max)
                continue;
            if (index++ < skip)
                continue;
            result.Add(item);
            if (take > 0 && result.Count >= take)
                break;
        }

        return result;
    }

    private static readonly string AfterAllMembers = null!;

    private sealed class ScoreThenMember : IComparer<ScoredMember>
    {
        public static readonly ScoreThenMember Instance = new();

        public int Compare(ScoredMember x, ScoredMember y)
        {
            var c = x.Score.CompareTo(y.Score);
            if (c != 0)
                return c;
            if (x.Member is null || y.Member is null)
            {
                // Only the upper search bound has a null member; it sorts after all real members.
                return (x.Member is null).CompareTo(y.Member is null);
            }

            return Utf8OrdinalComparer.Instance.Compare(x.Member, y.Member);
        }
    }
}
