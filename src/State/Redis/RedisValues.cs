using System.Globalization;
using System.Runtime.InteropServices;
using StackExchange.Redis;

namespace MobZ.State.Redis;

/// <summary>Conversions between our argument types and the Redis client's.</summary>
internal static class RedisValues
{
    /// <summary>The client takes whole arrays; reuse the caller's when the memory spans all of one.</summary>
    public static byte[] Bytes(ReadOnlyMemory<byte> value) =>
        MemoryMarshal.TryGetArray(value, out var segment)
        && segment.Offset == 0
        && segment.Count == segment.Array!.Length
            ? segment.Array
            : value.ToArray();

    public static StackExchange.Redis.When Map(State.When when) =>
        when switch
        {
            State.When.Always => StackExchange.Redis.When.Always,
            State.When.NotExists => StackExchange.Redis.When.NotExists,
            State.When.Exists => StackExchange.Redis.When.Exists,
            _ => throw new ArgumentOutOfRangeException(nameof(when), when, null),
        };

    /// <summary>
    /// SET PX takes whole milliseconds and refuses 0, so a sub-millisecond TTL is rounded up (as the
    /// in-process backend does) rather than handed to the client, which would send "PX 0". No TTL is a
    /// plain SET, which also clears an earlier TTL.
    /// </summary>
    public static Expiration Expiry(TimeSpan? ttl) =>
        ttl is { } t ? new Expiration(TimeSpan.FromMilliseconds(Milliseconds(t))) : Expiration.Default;

    /// <summary>EXPIRE with a non-positive TTL deletes the key; keep that, but avoid sub-millisecond positives becoming
    /// 0.</summary>
    public static TimeSpan ExpireSpan(TimeSpan ttl) =>
        ttl <= TimeSpan.Zero
            ? TimeSpan.FromMilliseconds(-1)
            : TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling(ttl.TotalMilliseconds)));

    /// <summary>A score as Redis parses it: shortest round-trip text, "inf"/"-inf" for infinities.</summary>
    public static string Score(double score) =>
        score switch
        {
            double.PositiveInfinity => "+inf",
            double.NegativeInfinity => "-inf",
            _ => score.ToString("R", CultureInfo.InvariantCulture),
        };

    public static long Milliseconds(TimeSpan ttl) => Math.Max(1, (long)Math.Ceiling(ttl.TotalMilliseconds));
}
