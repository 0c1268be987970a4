using Microsoft.Extensions.DependencyInjection;
using MobZ.Access;
using MobZ.Contracts;
using MobZ.Signaling.Tests.Harness;
using MobZ.TestKit.Redis;
using static MobZ.Signaling.Tests.Rooms.M2mRoomTests;

namespace MobZ.Signaling.Tests.Rooms;

public sealed class P2mRoomTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task The_publisher_gets_an_HLS_station_and_viewers_get_the_playback_url(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis, o =>
            o.HlsBaseUrl = "http://127.0.0.1:8080/hls/"
        );
        var munit = await h.StartMunitAsync("munit-a");
        var host = await h.ConnectAsync();
        var ack = await host.JoinAsync("live", "p2m", "publisher");
        string stationId = ack.GetProperty("stationId").GetString()!;
        Assert.Equal("true", await h.Store.HashGetAsync(MunitKeys.Station(stationId), StationFields.Hls));
        await Eventually(
            () => munit.Assigns.Any(a => a.StationId == stationId && a.Hls && a.RoomKind == "p2m"),
            "an HLS Assign was sent"
        );

        var viewer = await h.ConnectAsync(userId: "viewer-9");
        var viewerAck = await viewer.JoinAsync("live", "p2m"); // p2m joins default to viewer.
        Assert.Equal("viewer", viewerAck.GetProperty("participantType").GetString());
        // The playback URL carries, in its path, a token for this room only (not the viewer's "*") that may only
        // subscribe.
        string url = viewerAck.GetProperty("playbackUrl").GetString()!;
        const string prefix = "http://127.0.0.1:8080/hls/live/t/";
        Assert.StartsWith(prefix, url, StringComparison.Ordinal);
        Assert.EndsWith("/index.m3u8", url, StringComparison.Ordinal);
        var playback = await h
            .Services.GetRequiredService<AccessTokenValidator>()
            .ValidateAsync(url[prefix.Length..^"/index.m3u8".Length]);
        Assert.True(playback.IsValid, playback.Failure);
        Assert.Equal(
            ("viewer-9", "live", AccessGrant.Subscribe),
            (playback.Claims!.UserId, playback.Claims.Room, playback.Claims.Grants)
        );
        Assert.False(ack.TryGetProperty("playbackUrl", out _));

        var second = await h.ConnectAsync();
        Assert.Equal(
            "ROOM_FULL",
            await second.ErrorCodeForAsync(
                """{"action":"Join","requestId":"j","roomId":"live","roomKind":"p2m","role":"publisher"}""",
                "j"
            )
        );
        Assert.Equal(
            "ROOM_KIND_MISMATCH",
            await second.ErrorCodeForAsync(
                """{"action":"Join","requestId":"k","roomId":"live","roomKind":"m2m"}""",
                "k"
            )
        );
    }
}
