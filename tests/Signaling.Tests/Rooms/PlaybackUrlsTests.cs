using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MobZ.Access;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Rooms;
using MobZ.Signaling.Rooms.Media;
using MobZ.State;

namespace MobZ.Signaling.Tests.Rooms;

/// <summary>The p2m viewer's playback URL: tokened for its room with the subscribe grant when a signing key is
/// configured.</summary>
public sealed class PlaybackUrlsTests
{
    private const string Secret = "rooms-playback-url-secret-0123456789abcdef";
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Nothing is sent here: the test only resolves the rooms' services.</summary>
    private sealed class NoConnections : IConnectionSender
    {
        public Task<SendStatus> SendAsync(
            string connectionId,
            ReadOnlyMemory<byte> payload,
            CancellationToken cancellationToken = default
        ) => Task.FromResult(SendStatus.Gone);

        public Task<ConnectionInfo?> GetConnectionAsync(
            string connectionId,
            CancellationToken cancellationToken = default
        ) => Task.FromResult<ConnectionInfo?>(null);

        public Task<bool> DeleteConnectionAsync(string connectionId, CancellationToken cancellationToken = default) =>
            Task.FromResult(false);
    }

    [Fact]
    public async Task With_a_signing_key_the_url_carries_a_subscribe_token_for_that_room_in_its_path()
    {
        var access = new AccessTokenOptions { HmacSecret = Secret };
        var rooms = Options.Create(
            new RoomOptions
            {
                HlsBaseUrl = "https://hls.example.test/hls/",
                PlaybackTokenLifetime = TimeSpan.FromHours(2),
            }
        );
        var urls = new PlaybackUrls(rooms, new AccessTokenIssuer(access, new FixedTime(Now)));

        string url = urls.For("live", "viewer-7");

        const string prefix = "https://hls.example.test/hls/live/t/";
        Assert.StartsWith(prefix, url, StringComparison.Ordinal);
        Assert.EndsWith("/index.m3u8", url, StringComparison.Ordinal);
        string token = url[prefix.Length..^"/index.m3u8".Length];
        AccessCheck check = await new AccessTokenValidator(
            access,
            time: new FixedTime(Now + TimeSpan.FromHours(1))
        ).ValidateAsync(token);
        Assert.True(check.IsValid, check.Failure);
        Assert.Equal(
            new AccessClaims("viewer-7", "live", AccessGrant.Subscribe, Now + TimeSpan.FromHours(2)),
            check.Claims
        );
        Assert.False(
            (
                await new AccessTokenValidator(access, time: new FixedTime(Now + TimeSpan.FromHours(3))).ValidateAsync(
                    token
                )
            ).IsValid
        );
    }

    [Fact]
    public void Without_a_key_to_sign_with_the_url_is_the_plain_one()
    {
        var rooms = Options.Create(new RoomOptions { HlsBaseUrl = "/hls" });
        Assert.Equal("/hls/live/index.m3u8", new PlaybackUrls(rooms).For("live", "v"));
        // Tokens from an identity provider (a public key only): nothing here can sign a playback token.
        var verifyOnly = new AccessTokenIssuer(
            new AccessTokenOptions { JwksUrl = "https://idp.example.test/jwks" },
            TimeProvider.System
        );
        Assert.Equal("/hls/live/index.m3u8", new PlaybackUrls(rooms, verifyOnly).For("live", "v"));
    }

    [Fact]
    public async Task AddMobZRooms_hands_out_tokened_urls_when_the_host_registers_access_keys()
    {
        await using IStateBackend backend = await StateBackend.CreateAsync(
            null,
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance
        );
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(backend.Store);
        services.AddSingleton(backend.Bus);
        services.AddSingleton<IConnectionSender, NoConnections>();
        services.AddMobZAccess(o => o.HmacSecret = Secret);
        services.AddMobZRooms(o => o.RunSweepService = false);
        await using ServiceProvider provider = services.BuildServiceProvider();

        Assert.True(provider.GetRequiredService<PlaybackUrls>().IssuesTokens);
        Assert.Matches(
            "^/hls/live/t/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+/index.m3u8$",
            provider.GetRequiredService<MobZ.Signaling.Rooms.Actions.RoomSignals>().PlaybackUrl("live", "viewer-1")
        );
    }
}
