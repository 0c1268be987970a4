namespace MobZ.State.Atomic;

/// <summary>Redis Cluster's hash tag rule: the text between the first <c>{</c> and the first <c>}</c> after it,
/// when not empty; only that part of the key chooses its slot.</summary>
public static class HashTag
{
    public static string? Of(string key)
    {
        var open = key.IndexOf('{', StringComparison.Ordinal);
        if (open < 0)
        {
            return null;
        }

        var close = key.IndexOf('}', open + 1);
        return close <= open + 1 ? null : key.Substring(open + 1, close - open - 1);
    }

    /// <summary>The tag every key shares; throws when a key has none or they differ.</summary>
    internal static string Shared(string operation, IReadOnlyList<string> keys)
    {
        if (keys.Count == 0)
        {
            throw new ArgumentException($"atomic operation {operation} needs at least one key", nameof(keys));
        }

        var tag = Of(Validate.Key(keys[0]))
            ?? throw new ArgumentException(
                $"atomic operation {operation}: key '{keys[0]}' has no hash tag {{...}}; every key of one operation must "
                    + "share one",
                nameof(keys)
            );
        for (var i = 1; i < keys.Count; i++)
        {
            if (Of(Validate.Key(keys[i])) != tag)
            {
                throw new ArgumentException(
                    $"atomic operation {operation}: key '{keys[i]}' is not in hash tag {{{tag}}} of '{keys[0]}'",
                    nameof(keys)
                );
            }
        }

        return tag;
    }
}
