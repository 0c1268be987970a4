namespace MobZ.State;

/// <summary>Argument rules shared by both backends, so a call that Redis would reject fails the same way
/// in-process.</summary>
internal static class Validate
{
    public static string Key(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return key;
    }

    public static string NotNull(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value;
    }

    /// <summary>Redis has no NaN score; infinities are valid (and sort first/last).</summary>
    public static double Score(double score) =>
        double.IsNaN(score) ? throw new ArgumentOutOfRangeException(nameof(score), "A score cannot be NaN.") : score;

    /// <summary>Redis refuses SET with a non-positive expiry, so both backends do.</summary>
    public static TimeSpan? Ttl(TimeSpan? ttl) =>
        ttl is { } t && t <= TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(nameof(ttl), "A TTL must be positive; use Delete to remove a key.")
            : ttl;
}
