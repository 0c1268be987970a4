using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MobZ.Access;
using MobZ.Hls.Serving;

namespace MobZ.Hls.Tests.Serving;

/// <summary>The cache of validated playback tokens: a repeat request is not verified again, until the token
/// expires.</summary>
public sealed class PlaybackTokenCacheTests
{
    private const string Secret = "hls-playback-cache-secret-0123456789abcdef";

    private static (PlaybackTokenGate Gate, PlaybackTokenCache Cache, AccessTokenIssuer Issuer) Create(
        FakeTimeProvider time,
        int capacity = 100
    )
    {
        // No clock skew: the token is refused the moment it expires, so the test sees exactly when the entry goes.
        var options = new AccessTokenOptions { HmacSecret = Secret, ClockSkew = TimeSpan.Zero };
        var cache = new PlaybackTokenCache(capacity, time);
        return (
            new PlaybackTokenGate(new AccessTokenValidator(options, time: time), cache, NullLogger.Instance),
            cache,
            new AccessTokenIssuer(options, time)
        );
    }

    [Fact]
    public async Task A_repeat_request_is_not_verified_again_until_the_token_expires_then_it_is_refused()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var (gate, _, issuer) = Create(time);
        string token = issuer.Issue("viewer-1", "live", AccessGrant.Subscribe, TimeSpan.FromMinutes(10));

        for (int i = 0; i < 50; i++)
        {
            Assert.Null(await gate.CheckAsync("live", token, CancellationToken.None));
            time.Advance(TimeSpan.FromSeconds(10)); // 500 s in all, still inside the 600 s lifetime
        }

        Assert.Equal(1, gate.Verifications);
        // A cached token still answers for its own room and grants only.
        Assert.Equal(403, (await gate.CheckAsync("other", token, CancellationToken.None))?.Status);
        Assert.Equal(1, gate.Verifications);

        time.Advance(TimeSpan.FromSeconds(101)); // one second past exp
        PlaybackRefusal? refusal = await gate.CheckAsync("live", token, CancellationToken.None);
        Assert.Equal(2, gate.Verifications);
        Assert.Equal((401, "expired"), (refusal?.Status, refusal?.Reason));
    }

    [Fact]
    public async Task Refused_tokens_are_not_cached()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var (gate, cache, _) = Create(time);
        string forged = new AccessTokenIssuer(
            new AccessTokenOptions { HmacSecret = "some-other-secret-0123456789abcdefghij" },
            time
        ).Issue("viewer-1", "live", AccessGrant.Subscribe, TimeSpan.FromMinutes(10));

        Assert.Equal(401, (await gate.CheckAsync("live", forged, CancellationToken.None))?.Status);
        Assert.Equal(401, (await gate.CheckAsync("live", forged, CancellationToken.None))?.Status);

        Assert.Equal(2, gate.Verifications);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void A_full_cache_drops_expired_entries_first_and_never_holds_more_than_its_capacity()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var cache = new PlaybackTokenCache(16, time);
        AccessClaims Claims(TimeSpan lifetime) => new("u", "live", AccessGrant.Subscribe, time.GetUtcNow() + lifetime);

        cache.Add("long-lived", Claims(TimeSpan.FromHours(6)));
        for (int i = 0; i < 15; i++)
        {
            cache.Add($"short-{i}", Claims(TimeSpan.FromMinutes(1)));
        }

        time.Advance(TimeSpan.FromMinutes(2));
        cache.Add("new", Claims(TimeSpan.FromHours(1)));
        Assert.Equal(2, cache.Count); // the 15 expired ones made room
        Assert.True(cache.TryGet("long-lived", out _));
        Assert.True(cache.TryGet("new", out _));

        for (int i = 0; i < 100; i++)
        {
            cache.Add($"live-{i}", Claims(TimeSpan.FromHours(1)));
            Assert.InRange(cache.Count, 1, 16);
        }

        Assert.True(cache.TryGet("live-99", out _)); // the newest entry is always kept
    }
}
