using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MobZ.Access;
using MobZ.Contracts;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Rooms.Actions;
using MobZ.Signaling.Rooms.State;
using MobZ.Signaling.Rooms.Whip;
using MobZ.Signaling.Tests.Harness;
using MobZ.TestKit.Redis;
using static MobZ.Signaling.Tests.Rooms.M2mRoomTests;

namespace MobZ.Signaling.Tests.Rooms;

/// <summary>
/// Issue 12, WHIP ingest for p2m: the WHIP handler (RFC 9725) on the in-process backend, with a stand-in Munit. What a
/// WHIP publisher becomes in the room, and every refusal a client can meet, with its status.
/// </summary>
public sealed class WhipIngestTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const string Backend = Backends.Direct + Backends.InProcess;

    /// <summary>A sendonly Opus + H.264 offer as a WHIP client (OBS, a browser) sends it, with its
    /// candidates.</summary>
    internal static string Offer(string videoCodec = "H264") =>
        string.Join(
            "\r\n",
            "v=0",
            "o=- 4215775240449105457 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=group:BUNDLE 0 1",
            "a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF",
            "a=setup:actpass",
            "a=ice-ufrag:whip",
            "a=ice-pwd:whipwhipwhipwhipwhipwhip",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111",
            "c=IN IP4 0.0.0.0",
            "a=mid:0",
            "a=sendonly",
            "a=rtcp-mux",
            "a=rtpmap:111 opus/48000/2",
            "a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host",
            "m=video 9 UDP/TLS/RTP/SAVPF 102 103",
            "c=IN IP4 0.0.0.0",
            "a=mid:1",
            "a=bundle-only",
            "a=sendonly",
            "a=rtcp-mux",
            $"a=rtpmap:102 {videoCodec}/90000",
            "a=rtpmap:103 rtx/90000",
            "a=fmtp:103 apt=102",
            ""
        );

    private static HttpApiEvent Request(string method, string path, string? token, string? body = null) =>
        new()
        {
            RouteKey = "ANY /whip/{proxy+}",
            RawPath = path,
            Headers = new Dictionary<string, string>
            {
                ["content-type"] = WhipHandler.SdpType,
                ["origin"] = "https://studio.example",
            }
                .Concat(token is null ? [] : [KeyValuePair.Create("authorization", "Bearer " + token)])
                .ToDictionary(),
            // The local gateway (and API Gateway) pass a body that is not text as base64, application/sdp included.
            Body = body is null ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes(body)),
            IsBase64Encoded = body is not null,
            RequestContext = new HttpApiRequestContext
            {
                DomainName = "127.0.0.1",
                Http = new HttpApiRequestHttp
                {
                    Method = method,
                    Path = path,
                    SourceIp = "127.0.0.1",
                },
            },
        };

    private static Task<ProxyResponse> Send(RoomHarness h, HttpApiEvent request) =>
        h.Services.GetRequiredService<WhipHandler>().HandleAsync(request, CancellationToken.None);

    private static string? Header(ProxyResponse response, string name) =>
        response.Headers?.FirstOrDefault(x => string.Equals(x.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    private static string PublishToken(RoomHarness h, string room) =>
        h.Token(AccessGrant.P2mPublish, room, userId: "obs-studio");

    [Fact]
    public async Task A_WHIP_offer_gets_the_Munits_answer_and_a_session_url_whose_DELETE_ends_the_station()
    {
        await using var h = await RoomHarness.CreateAsync(Backend, redis);
        var munit = await h.StartMunitAsync("munit-a");
        var viewer = await h.ConnectAsync();
        await viewer.JoinAsync("live", "p2m", "viewer");

        var created = await Send(h, Request("POST", "/whip/live", PublishToken(h, "live"), Offer()));

        Assert.Equal(201, created.StatusCode);
        Assert.Equal(WhipHandler.SdpType, Header(created, "content-type"));
        Assert.Equal("*", Header(created, "access-control-allow-origin"));
        Assert.Contains("location", Header(created, "access-control-expose-headers")!, StringComparison.Ordinal);
        string location = Header(created, "location")!;
        Assert.StartsWith("/whip/live/" + WhipSessions.Prefix, location, StringComparison.Ordinal);
        string sessionId = location["/whip/live/".Length..];
        // The answer is the Munit's, for the offer the client sent, on an HLS station of this room.
        var publish = Assert.Single(munit.Requests, r => r.Op == MediaOps.Publish);
        Assert.Equal((sessionId, Offer()), (publish.PeerId, publish.Sdp));
        Assert.Equal(MunitResponder.Sdp(publish), created.Body);
        var assign = Assert.Single(munit.Assigns);
        Assert.Equal(
            (publish.StationId, "live", true, "p2m"),
            (assign.StationId, assign.RoomId, assign.Hls, assign.RoomKind)
        );
        // The room sees a live publisher, as it would a WebSocket one.
        var list = await viewer.NextAsync("PublishListChangeAck");
        Assert.Equal("published", list.GetProperty("reason").GetString());
        var listed = Assert.Single(list.GetProperty("publishers").EnumerateArray());
        Assert.Equal(sessionId, listed.GetProperty("participantId").GetString());

        var ended = await Send(h, Request("DELETE", location, PublishToken(h, "live")));

        Assert.Equal(200, ended.StatusCode);
        await Eventually(
            () => munit.Unassigns.Any(u => u.StationId == publish.StationId),
            "the station was unassigned"
        );
        Assert.Null(await h.Store.HashGetAsync(MunitKeys.Station(publish.StationId), StationFields.Munit));
        Assert.Equal("left", (await viewer.NextAsync("PublishListChangeAck")).GetProperty("reason").GetString());
        Assert.Equal(404, (await Send(h, Request("DELETE", location, PublishToken(h, "live")))).StatusCode);
    }

    [Fact]
    public async Task Requests_without_a_token_for_the_room_with_p2m_publish_are_refused_before_anything_is_placed()
    {
        await using var h = await RoomHarness.CreateAsync(Backend, redis);
        var munit = await h.StartMunitAsync("munit-a");

        var none = await Send(h, Request("POST", "/whip/live", null, Offer()));
        Assert.Equal(401, none.StatusCode);
        Assert.Equal("Bearer realm=\"mobz\"", Header(none, "www-authenticate"));
        var forged = await Send(h, Request("POST", "/whip/live", "not.a.token", Offer()));
        Assert.Equal(401, forged.StatusCode);
        Assert.Contains("invalid_token", Header(forged, "www-authenticate")!, StringComparison.Ordinal);
        var expired = h.Token(AccessGrant.P2mPublish, "live", lifetime: TimeSpan.FromSeconds(-120));
        Assert.Equal(401, (await Send(h, Request("POST", "/whip/live", expired, Offer()))).StatusCode);
        var otherRoom = await Send(h, Request("POST", "/whip/live", PublishToken(h, "elsewhere"), Offer()));
        Assert.Equal(403, otherRoom.StatusCode);
        Assert.Contains("elsewhere", otherRoom.Body, StringComparison.Ordinal);
        var noGrant = h.Token(AccessGrants.Everything & ~AccessGrant.P2mPublish, "live");
        var refused = await Send(h, Request("POST", "/whip/live", noGrant, Offer()));
        Assert.Equal(403, refused.StatusCode);
        Assert.Contains("p2m-publish", refused.Body, StringComparison.Ordinal);

        Assert.Empty(munit.Signals);
        Assert.Null(await h.Services.GetRequiredService<RoomRepository>().GetRoomAsync("live"));

        // The session URL is guarded the same way: no token, no DELETE.
        var created = await Send(h, Request("POST", "/whip/live", PublishToken(h, "live"), Offer()));
        string location = Header(created, "location")!;
        Assert.Equal(401, (await Send(h, Request("DELETE", location, null))).StatusCode);
        Assert.Equal(403, (await Send(h, Request("DELETE", location, PublishToken(h, "elsewhere")))).StatusCode);
        Assert.Empty(munit.Unassigns);
    }

    [Theory]
    [InlineData("hello", 400)]
    [InlineData("v=0\r\ns=-\r\nt=0 0\r\n", 400)]
    [InlineData("no-credentials", 400)]
    [InlineData("VP8", 422)]
    public async Task A_malformed_offer_or_one_without_H264_is_refused_with_a_4xx_that_says_why(
        string offer,
        int status
    )
    {
        await using var h = await RoomHarness.CreateAsync(Backend, redis);
        var munit = await h.StartMunitAsync("munit-a");
        string body = offer switch
        {
            "VP8" => Offer("VP8"),
            "no-credentials" => string.Join("\r\n", Offer().Split("\r\n").Where(l => !l.StartsWith("a=ice-"))),
            _ => offer,
        };

        var response = await Send(h, Request("POST", "/whip/live", PublishToken(h, "live"), body));

        Assert.Equal(status, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(response.Body));
        if (offer == "VP8")
            Assert.Contains("H.264", response.Body, StringComparison.Ordinal);
        Assert.Empty(munit.Signals);
        var wrongType = Request("POST", "/whip/live", PublishToken(h, "live"), Offer()) with
        {
            Headers = new Dictionary<string, string> { ["authorization"] = "Bearer " + PublishToken(h, "live") },
        };
        Assert.Equal(415, (await Send(h, wrongType)).StatusCode);
    }

    [Fact]
    public async Task A_second_publisher_an_m2m_room_a_missing_Munit_and_an_unknown_session_get_clear_answers()
    {
        await using var h = await RoomHarness.CreateAsync(Backend, redis);
        string token = h.Token(AccessGrants.Everything, "*");

        // No Munit registered: 503 with Retry-After, and no room left behind.
        var noMunit = await Send(h, Request("POST", "/whip/live", token, Offer()));
        Assert.Equal(503, noMunit.StatusCode);
        Assert.Equal("1", Header(noMunit, "retry-after"));

        var munit = await h.StartMunitAsync("munit-a");
        Assert.Equal(201, (await Send(h, Request("POST", "/whip/live", token, Offer()))).StatusCode);
        var second = await Send(h, Request("POST", "/whip/live", token, Offer()));
        Assert.Equal(409, second.StatusCode);
        Assert.Contains("already has its p2m publisher", second.Body, StringComparison.Ordinal);
        Assert.Single(munit.Assigns);

        var chat = await h.ConnectAsync();
        await chat.JoinAsync("chat", "m2m");
        var m2m = await Send(h, Request("POST", "/whip/chat", token, Offer()));
        Assert.Equal(409, m2m.StatusCode);
        Assert.Contains("m2m", m2m.Body, StringComparison.Ordinal);

        Assert.Equal(404, (await Send(h, Request("DELETE", "/whip/live/whip-0123456789abcdef", token))).StatusCode);
        Assert.Equal(404, (await Send(h, Request("DELETE", "/whip/live/someone-else", token))).StatusCode);
    }

    [Fact]
    public async Task A_Munit_that_refuses_the_offer_leaves_no_publisher_in_the_room()
    {
        await using var h = await RoomHarness.CreateAsync(Backend, redis);
        var munit = await h.StartMunitAsync("munit-a");
        munit.FailOp = MediaOps.Publish;

        var refused = await Send(h, Request("POST", "/whip/live", PublishToken(h, "live"), Offer()));

        Assert.Equal(400, refused.StatusCode);
        Assert.Contains("refused by test", refused.Body, StringComparison.Ordinal);
        Assert.Null(await h.Services.GetRequiredService<RoomRepository>().GetRoomAsync("live"));
        await Eventually(() => munit.Unassigns.Any(), "the station placed for the offer was unassigned");
    }

    [Fact]
    public async Task PATCH_answers_405_and_a_CORS_preflight_lets_a_browser_send_the_token_and_read_the_location()
    {
        await using var h = await RoomHarness.CreateAsync(Backend, redis);
        var patch = await Send(h, Request("PATCH", "/whip/live/whip-0123", PublishToken(h, "live"), Offer()));
        Assert.Equal(405, patch.StatusCode);
        Assert.Equal("DELETE, OPTIONS", Header(patch, "allow"));

        var preflight = await Send(h, Request("OPTIONS", "/whip/live", null));
        Assert.Equal(204, preflight.StatusCode);
        Assert.Equal("*", Header(preflight, "access-control-allow-origin"));
        Assert.Contains("authorization", Header(preflight, "access-control-allow-headers")!, StringComparison.Ordinal);
        Assert.Contains("POST", Header(preflight, "access-control-allow-methods")!, StringComparison.Ordinal);
        Assert.Equal(WhipHandler.SdpType, Header(preflight, "accept-post"));
    }

    [Fact]
    public async Task A_WHIP_publisher_is_not_swept_for_missing_heartbeats_and_ends_when_the_Munit_loses_its_media()
    {
        await using var h = await RoomHarness.CreateAsync(Backend, redis, o => o.HeartbeatTimeout = TimeSpan.Zero);
        var munit = await h.StartMunitAsync("munit-a");
        var created = await Send(h, Request("POST", "/whip/live", PublishToken(h, "live"), Offer()));
        string sessionId = Header(created, "location")!["/whip/live/".Length..];
        var rooms = h.Services.GetRequiredService<RoomRepository>();

        await h.Sweeper.SweepAsync();
        // A viewer joining is announced to every member: the WHIP session, which has no socket, is skipped, not gone.
        var viewer = await h.ConnectAsync();
        await viewer.JoinAsync("live", "p2m", "viewer");
        var entry = await rooms.GetParticipantAsync("live", "publisher", sessionId);
        Assert.NotNull(entry);
        Assert.True(entry.Live);

        var stationId = entry.StationId!;
        await h
            .Services.GetRequiredService<RoomSignals>()
            .AnnouncePeerLostAsync(
                new PeerLostEvent(Guid.NewGuid().ToString("N"), "munit-a", stationId, sessionId, "consent expired"),
                CancellationToken.None
            );

        Assert.Null(await rooms.GetParticipantAsync("live", "publisher", sessionId));
        await Eventually(() => munit.Unassigns.Any(u => u.StationId == stationId), "the station was unassigned");
    }

    [Fact]
    public async Task A_WHIP_session_whose_station_moves_to_another_Munit_ends_because_its_client_cannot_follow()
    {
        await using var h = await RoomHarness.CreateAsync(Backend, redis);
        var munit = await h.StartMunitAsync("munit-a");
        var created = await Send(h, Request("POST", "/whip/live", PublishToken(h, "live"), Offer()));
        string sessionId = Header(created, "location")!["/whip/live/".Length..];
        var rooms = h.Services.GetRequiredService<RoomRepository>();
        string stationId = (await rooms.GetParticipantAsync("live", "publisher", sessionId))!.StationId!;
        // A Regulator moved the station (its Munit drained or died): the station hash names the new Munit.
        var target = await h.StartMunitAsync("munit-b");
        await h.Store.HashSetAsync(
            MunitKeys.Station(stationId),
            new Dictionary<string, string> { [StationFields.Munit] = "munit-b" }
        );

        await h
            .Services.GetRequiredService<RoomSignals>()
            .AnnounceMoveAsync(new StationMove(stationId, "munit-b"), "drain", CancellationToken.None);

        Assert.Null(await rooms.GetParticipantAsync("live", "publisher", sessionId));
        await Eventually(() => target.Unassigns.Any(u => u.StationId == stationId), "the moved station was closed");
        Assert.Empty(munit.Unassigns);
    }
}
