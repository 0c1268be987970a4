using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using MobZ.Access;
using MobZ.Signaling.Rooms.State;
using MobZ.Signaling.Tests.Harness;
using MobZ.TestKit.Redis;

namespace MobZ.Signaling.Tests.Rooms;

/// <summary>
/// Issue 19: nobody gets into a room, a stream or a kick their access token does not grant — on both backends,
/// through the handler as a Lambda sees it and through the local gateway's real WebSockets.
/// </summary>
public sealed class AccessControlTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const AccessGrant Viewer = AccessGrant.Join | AccessGrant.Subscribe;
    private const AccessGrant Publisher = AccessGrant.Join | AccessGrant.Subscribe | AccessGrant.Publish;

    public static TheoryData<string, string, int> DoorCases()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var backend in Backends.All)
        {
            foreach (
                var (name, status) in new[]
                {
                    ("no token", 401),
                    ("garbage", 401),
                    ("bad signature", 401),
                    ("alg none", 401),
                    ("expired", 401),
                    ("wrong audience", 401),
                    ("no exp", 401),
                    ("no room claim", 401),
                    ("no join grant", 403),
                    ("valid", 200),
                }
            )
            {
                data.Add(backend, name, status);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(DoorCases))]
    public async Task The_door_refuses_every_token_that_does_not_grant_entry_with_its_documented_status(
        string backend,
        string name,
        int status
    )
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis, access: o => o.Audience = "mobz-rooms");
        var now = DateTime.UtcNow;
        string token = name switch
        {
            "no token" => null!,
            "garbage" => "not-a-jwt",
            "bad signature" => Mint(
                "another-secret-that-is-32-bytes-long!!",
                "room-a",
                ["join"],
                now.AddHours(1),
                "mobz-rooms"
            ),
            "alg none" => Unsigned("room-a", now.AddHours(1), "mobz-rooms"),
            "expired" => Mint(h.Secret, "room-a", ["join"], now.AddMinutes(-5), "mobz-rooms"),
            "wrong audience" => Mint(h.Secret, "room-a", ["join"], now.AddHours(1), "someone-else"),
            "no exp" => Mint(h.Secret, "room-a", ["join"], null, "mobz-rooms"),
            "no room claim" => Mint(h.Secret, null, ["join"], now.AddHours(1), "mobz-rooms"),
            "no join grant" => Mint(h.Secret, "room-a", ["subscribe"], now.AddHours(1), "mobz-rooms"),
            _ => Mint(h.Secret, "room-a", ["join", "subscribe", "publish"], now.AddHours(1), "mobz-rooms"),
        };

        var client = await h.ConnectWithTokenAsync(token);

        Assert.Equal(status, h.LastConnectStatus);
        Assert.Equal(status == 200, client is not null);
        // A refused connection leaves nothing behind that a later message could use.
        if (client is null)
        {
            foreach (var heartbeats in RoomKeys.AllHeartbeats)
            {
                Assert.Empty(
                    await h.Store.SortedSetRangeByScoreAsync(
                        heartbeats,
                        double.NegativeInfinity,
                        double.PositiveInfinity
                    )
                );
            }
        }
        else
        {
            Assert.Equal(
                "room-a",
                (await client.JoinAsync("room-a", "m2m", "viewer")).GetProperty("roomId").GetString()
            );
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task A_token_admits_its_own_room_or_prefix_only_and_names_the_user(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        await h.StartMunitAsync("munit-a");
        var ann = await h.ConnectAsync(Publisher, room: "standup", userId: "ann");
        Assert.Equal(
            "FORBIDDEN",
            await ann.ErrorCodeForAsync(
                """{"action":"Join","requestId":"j1","roomId":"standup2","roomKind":"m2m"}""",
                "j1"
            )
        );
        // The user is who the token says, whatever the message claims.
        await ann.SendRawAsync(
            """{"action":"Join","requestId":"j2","roomId":"standup","roomKind":"m2m","userId":"mallory"}"""
        );
        await ann.NextAsync("JoinAck");
        var bob = await h.ConnectAsync(Viewer, room: "team-*", userId: "bob");
        Assert.Equal(
            "FORBIDDEN",
            await bob.ErrorCodeForAsync(
                """{"action":"Join","requestId":"j3","roomId":"teamx","roomKind":"m2m","role":"viewer"}""",
                "j3"
            )
        );
        var ack = await bob.JoinAsync("team-standup", "m2m", "viewer");
        Assert.Equal("team-standup", ack.GetProperty("roomId").GetString());

        var carol = await h.ConnectAsync(Viewer, room: "standup", userId: "carol");
        var joined = await carol.JoinAsync("standup", "m2m", "viewer");
        Assert.Equal(
            "ann",
            Assert.Single(joined.GetProperty("publishers").EnumerateArray()).GetProperty("userId").GetString()
        );
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task A_viewer_token_cannot_publish_and_p2m_publishing_needs_its_own_grant(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        await h.StartMunitAsync("munit-a");
        var admin = await h.ConnectAsync();
        await admin.JoinAsync("talk", "m2m");
        var viewer = await h.ConnectAsync(Viewer, room: "talk");
        Assert.Equal(
            "FORBIDDEN",
            await viewer.ErrorCodeForAsync(
                """{"action":"Join","requestId":"j","roomId":"talk","roomKind":"m2m","role":"publisher"}""",
                "j"
            )
        );
        await viewer.JoinAsync("talk", "m2m", "viewer");
        Assert.Equal(
            "FORBIDDEN",
            await viewer.ErrorCodeForAsync("""{"action":"PublishRequest","requestId":"p"}""", "p")
        );
        Assert.Equal(
            "NOT_PUBLISHER",
            await viewer.ErrorCodeForAsync("""{"action":"Offer","requestId":"o","sdp":"v=0"}""", "o")
        );
        Assert.DoesNotContain(admin.Received, m => TestClient.Action(m) == "PublishRequest");

        // publish is not p2m-publish: a p2m room feeds a public stream.
        var m2mPublisher = await h.ConnectAsync(Publisher, room: "show");
        Assert.Equal(
            "FORBIDDEN",
            await m2mPublisher.ErrorCodeForAsync(
                """{"action":"Join","requestId":"j","roomId":"show","roomKind":"p2m","role":"publisher"}""",
                "j"
            )
        );
        var caster = await h.ConnectAsync(AccessGrant.Join | AccessGrant.P2mPublish, room: "show");
        Assert.Equal(
            "publisher",
            (await caster.JoinAsync("show", "p2m", "publisher")).GetProperty("participantType").GetString()
        );

        // A publisher without subscribe is offered nothing and may not Watch.
        var sender = await h.ConnectAsync(AccessGrant.Join | AccessGrant.Publish, room: "talk");
        await sender.JoinAsync("talk", "m2m");
        Assert.Equal(
            "FORBIDDEN",
            await sender.ErrorCodeForAsync(
                $$"""{"action":"Watch","requestId":"w","publisherId":"{{admin.ConnectionId}}"}""",
                "w"
            )
        );
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task Ownership_comes_from_the_admin_grant_not_from_joining_first(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        await h.StartMunitAsync("munit-a");
        var first = await h.ConnectAsync(Publisher, room: "panel");
        var firstAck = await first.JoinAsync("panel", "m2m");
        Assert.Equal("", firstAck.GetProperty("ownerId").GetString());
        var hopeful = await h.ConnectAsync(Publisher, room: "panel");
        await hopeful.JoinAsync("panel", "m2m", "viewer");
        Assert.Equal(
            "NO_ADMIN",
            await hopeful.ErrorCodeForAsync("""{"action":"PublishRequest","requestId":"p"}""", "p")
        );
        Assert.Equal(
            "FORBIDDEN",
            await first.ErrorCodeForAsync(
                $$"""{"action":"Kick","requestId":"k","participantId":"{{hopeful.ConnectionId}}"}""",
                "k"
            )
        );

        var moderator = await h.ConnectAsync(
            AccessGrant.Join | AccessGrant.Subscribe | AccessGrant.Admin,
            room: "panel"
        );
        var modAck = await moderator.JoinAsync("panel", "m2m", "viewer");
        Assert.Equal(moderator.ConnectionId, modAck.GetProperty("ownerId").GetString());
        await hopeful.SendAsync(new { action = "PublishRequest", requestId = "p2" });
        Assert.Equal(
            hopeful.ConnectionId,
            (await moderator.NextAsync("PublishRequest")).GetProperty("participantId").GetString()
        );

        // The admin leaves: nobody else may own the room, so it is ownerless again — and still there.
        await moderator.SendAsync(new { action = "Leave" });
        var change = await first.NextAsync("PublishListChangeAck", m =>
            m.GetProperty("reason").GetString() == "ownerChanged"
        );
        Assert.Equal("", change.GetProperty("ownerId").GetString());
        Assert.True(await h.Store.ExistsAsync(RoomKeys.Room("panel")));

        // The last member out deletes an ownerless room.
        await hopeful.SendAsync(new { action = "Leave", requestId = "l1" });
        await hopeful.NextAsync("LeaveAck");
        await first.SendAsync(new { action = "Leave", requestId = "l2" });
        await first.NextAsync("LeaveAck");
        Assert.False(await h.Store.ExistsAsync(RoomKeys.Room("panel")));
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task The_development_option_makes_the_first_joiner_owner(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis, o => o.FirstJoinerIsOwner = true);
        await h.StartMunitAsync("munit-a");
        var first = await h.ConnectAsync(Publisher, room: "dev");
        var second = await h.ConnectAsync(Publisher, room: "dev");
        Assert.Equal(first.ConnectionId, (await first.JoinAsync("dev", "m2m")).GetProperty("ownerId").GetString());
        await second.JoinAsync("dev", "m2m");
        Assert.Equal(
            "FORBIDDEN",
            await second.ErrorCodeForAsync(
                $$"""{"action":"Kick","requestId":"k","participantId":"{{first.ConnectionId}}"}""",
                "k"
            )
        );
        await first.SendAsync(
            new
            {
                action = "Kick",
                requestId = "k2",
                participantId = second.ConnectionId,
            }
        );
        await first.NextAsync("KickAck");
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task An_admin_closes_the_room_and_everyone_is_told_and_disconnected(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        await h.StartMunitAsync("munit-a");
        var admin = await h.ConnectAsync(room: "townhall");
        var speaker = await h.ConnectAsync(Publisher, room: "townhall");
        var listener = await h.ConnectAsync(Viewer, room: "townhall");
        await admin.JoinAsync("townhall", "m2m");
        await speaker.JoinAsync("townhall", "m2m");
        await listener.JoinAsync("townhall", "m2m", "viewer");
        Assert.Equal("FORBIDDEN", await speaker.ErrorCodeForAsync("""{"action":"CloseRoom","requestId":"c0"}""", "c0"));

        await admin.SendAsync(new { action = "CloseRoom", requestId = "c1" });
        var ack = await admin.NextAsync("CloseRoomAck");
        Assert.Equal(2, ack.GetProperty("removed").GetInt32());
        foreach (var member in new[] { speaker, listener })
        {
            var kicked = await member.NextAsync("Kicked");
            Assert.Equal("roomClosed", kicked.GetProperty("reason").GetString());
            await M2mRoomTests.Eventually(() => !member.IsOpen, "a closed room's member was disconnected");
        }
        Assert.False(await h.Store.ExistsAsync(RoomKeys.Room("townhall")));
        Assert.True(admin.IsOpen);
    }

    private static string Mint(string secret, string? room, string[] grants, DateTime? expires, string audience)
    {
        var claims = new Dictionary<string, object> { ["grants"] = grants };
        if (room is not null)
            claims["room"] = room;
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
            new SecurityTokenDescriptor
            {
                Subject = new ClaimsIdentity([new Claim("sub", "tester")]),
                Claims = claims,
                Audience = audience,
                IssuedAt = expires is { } e && e < now ? e.AddMinutes(-10) : now,
                Expires = expires,
                SigningCredentials = new SigningCredentials(
                    new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)),
                    SecurityAlgorithms.HmacSha256
                ),
            }
        );
    }

    /// <summary>An "alg":"none" token: header and payload, no signature.</summary>
    private static string Unsigned(string room, DateTime expires, string audience)
    {
        static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        long exp = new DateTimeOffset(expires).ToUnixTimeSeconds();
        return B64("""{"alg":"none","typ":"JWT"}""")
            + "."
            + B64(
                $$"""{"sub":"tester","room":"{{room}}","grants":["join","admin"],"aud":"{{audience}}","exp":{{exp}}}"""
            )
            + ".";
    }
}
