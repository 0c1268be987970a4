using MobZ.Access;
using MobZ.Signaling.Rooms.State;
using MobZ.Signaling.Tests.Harness;
using MobZ.TestKit.Redis;

namespace MobZ.Signaling.Tests.Rooms;

/// <summary>Every kind of bad message gets its stable code, and the room keeps working for everyone.</summary>
public sealed class BadInputTests(RedisServer redis) : IClassFixture<RedisServer>
{
    /// <summary>(case name, message sent by a p2p peer, expected code). requestId "bad" where the message has
    /// one.</summary>
    public static TheoryData<string, string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var backend in Backends.All)
        {
            data.Add(backend, "malformed JSON", """{"action":"Join","requestId":"bad","roomId":""", "BAD_JSON");
            data.Add(backend, "not an object", """["Join"]""", "BAD_JSON");
            data.Add(backend, "trailing garbage", """{"action":"Heartbeat","requestId":"bad"} x""", "BAD_JSON");
            // Found by the rooms-json fuzz harness (docs/fuzzing.md): these escaped to INTERNAL_ERROR.
            data.Add(
                backend,
                "malformed: a lone surrogate in a property name",
                """{"\ud800caate":"caost","action":"Heartbeat","requestId":"bad"}""",
                "BAD_JSON"
            );
            data.Add(
                backend,
                "malformed: a lone surrogate in the action",
                """{"requestId":"bad","action":"Join\udc00"}""",
                "BAD_JSON"
            );
            data.Add(backend, "unknown action", """{"action":"Dance","requestId":"bad"}""", "UNKNOWN_ACTION");
            data.Add(backend, "action missing", """{"requestId":"bad","roomId":"x"}""", "MISSING_FIELD");
            data.Add(backend, "action not a string", """{"action":7,"requestId":"bad"}""", "MISSING_FIELD");
            data.Add(
                backend,
                "join without roomId",
                """{"action":"Join","requestId":"bad","roomKind":"p2p"}""",
                "MISSING_FIELD"
            );
            data.Add(
                backend,
                "join without roomKind",
                """{"action":"Join","requestId":"bad","roomId":"r"}""",
                "MISSING_FIELD"
            );
            data.Add(
                backend,
                "unknown roomKind",
                """{"action":"Join","requestId":"bad","roomId":"r","roomKind":"mesh"}""",
                "INVALID_FIELD"
            );
            data.Add(
                backend,
                "roomId with a key separator",
                """{"action":"Join","requestId":"bad","roomId":"a:publishers","roomKind":"p2p"}""",
                "INVALID_FIELD"
            );
            data.Add(
                backend,
                "field of the wrong type",
                """{"action":"UpdateVideo","requestId":"bad","audio":"yes"}""",
                "INVALID_FIELD"
            );
            data.Add(
                backend,
                "join twice",
                """{"action":"Join","requestId":"bad","roomId":"other","roomKind":"p2p"}""",
                "ALREADY_IN_ROOM"
            );
            data.Add(
                backend,
                "second join as a viewer",
                """{"action":"Join","requestId":"bad","roomId":"p2pview","roomKind":"p2p","role":"viewer"}""",
                "ALREADY_IN_ROOM"
            );
            data.Add(backend, "offer without sdp", """{"action":"Offer","requestId":"bad"}""", "MISSING_FIELD");
            data.Add(
                backend,
                "candidate without candidate",
                """{"action":"IceCandidate","requestId":"bad","sdpMid":"0"}""",
                "MISSING_FIELD"
            );
            data.Add(
                backend,
                "offer to a stranger",
                """{"action":"Offer","requestId":"bad","sdp":"v=0","to":"nobody"}""",
                "PARTICIPANT_NOT_FOUND"
            );
            data.Add(
                backend,
                "update without flags",
                """{"action":"UpdateVideo","requestId":"bad"}""",
                "MISSING_FIELD"
            );
            data.Add(
                backend,
                "kick without the admin grant",
                """{"action":"Kick","requestId":"bad","participantId":"OWNER"}""",
                "FORBIDDEN"
            );
            data.Add(
                backend,
                "watch in p2p",
                """{"action":"Watch","requestId":"bad","publisherId":"OWNER"}""",
                "NOT_SUPPORTED"
            );
            data.Add(
                backend,
                "publish request in p2p",
                """{"action":"PublishRequest","requestId":"bad"}""",
                "NOT_SUPPORTED"
            );
            data.Add(
                backend,
                "accept without the admin grant",
                """{"action":"PublishAccept","requestId":"bad","participantId":"OWNER"}""",
                "FORBIDDEN"
            );
            data.Add(
                backend,
                "simulcast with a bad layer",
                """{"action":"SimulcastUpdate","requestId":"bad","stationId":"s","layer":"../h"}""",
                "INVALID_FIELD"
            );
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_message_from_a_member_gets_its_code_and_the_call_goes_on(
        string backend,
        string name,
        string raw,
        string code
    )
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var owner = await h.ConnectAsync();
        var peer = await h.ConnectAsync(RoomHarness.AllGrants & ~AccessGrant.Admin);
        await owner.JoinAsync("bad-input", "p2p");
        await peer.JoinAsync("bad-input", "p2p");

        await peer.SendRawAsync(raw.Replace("OWNER", owner.ConnectionId));
        var error = await peer.NextAsync("Error");
        Assert.True(code == error.GetProperty("code").GetString(), $"{name}: got {error}");
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        if (raw.Contains("\"requestId\":\"bad\"") && !name.StartsWith("malformed") && !name.StartsWith("trailing"))
            Assert.Equal("bad", error.GetProperty("requestId").GetString());

        await AssertCallWorksAsync(owner, peer);
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task Acting_on_a_room_you_are_not_in_gets_NOT_IN_ROOM_for_every_room_action(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var owner = await h.ConnectAsync();
        var peer = await h.ConnectAsync();
        var stranger = await h.ConnectAsync();
        await owner.JoinAsync("members-only", "p2p");
        await peer.JoinAsync("members-only", "p2p");

        string[] messages =
        [
            """{"action":"Leave","requestId":"bad"}""",
            """{"action":"UpdateVideo","requestId":"bad","video":false}""",
            """{"action":"Offer","requestId":"bad","sdp":"v=0"}""",
            """{"action":"Answer","requestId":"bad","sdp":"v=0"}""",
            """{"action":"IceCandidate","requestId":"bad","candidate":"c"}""",
            $$"""{"action":"Kick","requestId":"bad","participantId":"{{owner.ConnectionId}}"}""",
            """{"action":"Watch","requestId":"bad","stationId":"s"}""",
            """{"action":"SimulcastUpdate","requestId":"bad","stationId":"s","layer":"h"}""",
            """{"action":"PublishRequest","requestId":"bad"}""",
            $$"""{"action":"PublishAccept","requestId":"bad","participantId":"{{peer.ConnectionId}}"}""",
            $$"""{"action":"PublishReject","requestId":"bad","participantId":"{{peer.ConnectionId}}"}""",
        ];
        foreach (var m in messages)
            Assert.True("NOT_IN_ROOM" == await stranger.ErrorCodeForAsync(m, "bad"), m);

        Assert.False(owner.HasPending("Offer") || peer.HasPending("Offer") || owner.HasPending("Kicked"));
        await AssertCallWorksAsync(owner, peer);
        await stranger.SyncAsync();
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task An_oversized_message_gets_MESSAGE_TOO_LARGE(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis, o => o.MaxMessageBytes = 1024);
        var c = await h.ConnectAsync();
        string raw = $$"""{"action":"Heartbeat","requestId":"big","pad":"{{new string('x', 2000)}}"}""";
        Assert.Equal("MESSAGE_TOO_LARGE", await c.ErrorCodeForAsync(raw, "big"));
        await c.SyncAsync();
    }

    [Fact]
    public async Task Random_and_truncated_messages_always_get_an_answer_and_never_break_the_room()
    {
        await using var h = await RoomHarness.CreateAsync(Backends.InProcess, redis);
        var owner = await h.ConnectAsync();
        var fuzzer = await h.ConnectAsync();
        await owner.JoinAsync("fuzz", "p2p");
        await fuzzer.JoinAsync("fuzz", "p2p");
        var random = new Random(1234);
        string[] seeds =
        [
            """{"action":"Offer","requestId":"x","sdp":"v=0","to":null}""",
            """{"action":"Join","requestId":"x","roomId":"fuzz","roomKind":"p2p","audio":true}""",
            """{"action":"IceCandidate","candidate":"c","sdpMLineIndex":99999999999}""",
            """{"action":"Kick","participantId":{"nested":[1,2,{"deep":true}]}}""",
        ];
        for (int i = 0; i < 300; i++)
        {
            string seed = seeds[random.Next(seeds.Length)];
            var chars = seed.ToCharArray();
            string text = (i % 3) switch
            {
                0 => seed[..random.Next(seed.Length)],
                1 => Mutate(chars, random),
                _ => new string(
                    Enumerable.Range(0, random.Next(1, 40)).Select(_ => (char)random.Next(1, 0x2FF)).ToArray()
                ),
            };
            int before = fuzzer.Received.Count;
            await fuzzer.SendRawAsync(text);
            // Every frame is handled before SendRawAsync returns here; the server answered or forwarded.
            Assert.True(
                fuzzer.Received.Count > before
                    || owner.HasPending("Offer")
                    || owner.HasPending("IceCandidate")
                    || text.Contains("\"Offer\"")
                    || text.Contains("IceCandidate"),
                $"no answer to {text}"
            );
        }
        await fuzzer.SyncAsync();
        Assert.NotNull(await h.Store.HashGetAsync(RoomKeys.Publishers("fuzz"), owner.ConnectionId));
    }

    private static string Mutate(char[] chars, Random random)
    {
        for (int k = 0; k < 3; k++)
            chars[random.Next(chars.Length)] = "{}[]\":,\\ax1"[random.Next(11)];
        return new string(chars);
    }

    private static async Task AssertCallWorksAsync(TestClient owner, TestClient peer)
    {
        string sdp = "v=0\r\n" + Guid.NewGuid();
        await owner.SendAsync(new { action = "Offer", sdp });
        Assert.Equal(
            sdp,
            (await peer.NextAsync("Offer", m => m.GetProperty("sdp").GetString() == sdp)).GetProperty("sdp").GetString()
        );
        await peer.SendAsync(new { action = "Answer", sdp });
        await owner.NextAsync("Answer", m => m.GetProperty("sdp").GetString() == sdp);
    }
}
