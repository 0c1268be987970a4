using StackExchange.Redis;

namespace MobZ.State.Redis;

/// <summary>
/// StateCondition → the client's WATCH-based Condition. Conditions about a null value become existence
/// checks, which is what "null" means in ours. Set membership (<see cref="TryMap"/> returns null) stays on
/// the script route it took before the client had Condition.SetContains: the transactions that use it
/// (moving a station between Munits) then commit in one server step with no WATCH race to retry.
/// </summary>
internal static class RedisConditions
{
    public static Condition? TryMap(StateCondition condition) =>
        condition switch
        {
            StateCondition.KeyExists c => Condition.KeyExists(c.Key),
            StateCondition.KeyNotExists c => Condition.KeyNotExists(c.Key),
            StateCondition.StringEqual { Value: null } c => Condition.KeyNotExists(c.Key),
            StateCondition.StringEqual c => Condition.StringEqual(c.Key, c.Value),
            StateCondition.StringNotEqual { Value: null } c => Condition.KeyExists(c.Key),
            StateCondition.StringNotEqual c => Condition.StringNotEqual(c.Key, c.Value),
            StateCondition.HashEqual { Value: null } c => Condition.HashNotExists(c.Key, c.Field),
            StateCondition.HashEqual c => Condition.HashEqual(c.Key, c.Field, c.Value),
            StateCondition.HashNotEqual { Value: null } c => Condition.HashExists(c.Key, c.Field),
            StateCondition.HashNotEqual c => Condition.HashNotEqual(c.Key, c.Field, c.Value),
            StateCondition.HashExists c => Condition.HashExists(c.Key, c.Field),
            StateCondition.HashNotExists c => Condition.HashNotExists(c.Key, c.Field),
            StateCondition.HashLengthLessThan c => Condition.HashLengthLessThan(c.Key, c.Length),
            StateCondition.HashLengthEqual c => Condition.HashLengthEqual(c.Key, c.Length),
            StateCondition.SetLengthEqual c => Condition.SetLengthEqual(c.Key, c.Length),
            StateCondition.SortedSetLengthLessThan c => Condition.SortedSetLengthLessThan(c.Key, c.Length),
            StateCondition.ListLengthLessThan c => Condition.ListLengthLessThan(c.Key, c.Length),
            StateCondition.ListLengthEqual c => Condition.ListLengthEqual(c.Key, c.Length),
            StateCondition.ListIndexEqual { Value: null } c => Condition.ListIndexNotExists(c.Key, c.Index),
            StateCondition.ListIndexEqual c => Condition.ListIndexEqual(c.Key, c.Index, c.Value),
            StateCondition.SetContains or StateCondition.SetNotContains => null,
            _ => throw new NotSupportedException($"Unknown condition {condition.GetType().Name}"),
        };
}
