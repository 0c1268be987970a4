using MobZ.Signaling.Rooms.State;
using MobZ.Signaling.Tests.Harness;
using MobZ.TestKit.Redis;

namespace MobZ.Signaling.Tests.Rooms;

public sealed class P2pRoomTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task Offer_answer_and_candidates_are_forwarded_both_ways_between_the_two_peers(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var alice = await h.ConnectAsync();
        var bob = await h.ConnectAsync();

        var aliceAck = await alice.JoinAsync("call-1", "p2p", userId: "alice");
        Assert.Equal("publisher", aliceAck.GetProperty("participantType").GetString());
        Assert.Equal(alice.ConnectionId, aliceAck.GetProperty("ownerId").GetString());
        Assert.Equal(0, aliceAck.GetProperty("publishers").GetArrayLength());

        var bobAck = await bob.JoinAsync("call-1", "p2p", userId: "bob");
        var peers = bobAck.GetProperty("publishers");
        Assert.Equal(
            alice.ConnectionId,
            Assert.Single(peers.EnumerateArray()).GetProperty("participantId").GetString()
        );
        var joined = await alice.NextAsync("PublishListChangeAck");
        Assert.Equal("joined", joined.GetProperty("reason").GetString());
        Assert.Contains(joined.GetProperty("publishers").EnumerateArray(), p =>
            p.GetProperty("participantId").GetString() == bob.ConnectionId
        );

        await bob.SendAsync(
            new
            {
                action = "Offer",
                requestId = "bob-private",
                sdp = "v=0\r\nbob-offer",
            }
        );
        var offer = await alice.NextAsync("Offer");
        Assert.Equal("v=0\r\nbob-offer", offer.GetProperty("sdp").GetString());
        Assert.Equal(bob.ConnectionId, offer.GetProperty("from").GetString());
        Assert.False(offer.TryGetProperty("requestId", out _), "a notice never carries its sender's requestId");

        await alice.SendAsync(
            new
            {
                action = "Answer",
                sdp = "v=0\r\nalice-answer",
                to = bob.ConnectionId,
            }
        );
        var answer = await bob.NextAsync("Answer");
        Assert.Equal("v=0\r\nalice-answer", answer.GetProperty("sdp").GetString());
        Assert.Equal(alice.ConnectionId, answer.GetProperty("from").GetString());

        await alice.SendAsync(
            new
            {
                action = "IceCandidate",
                candidate = "candidate:1 1 udp 1 10.0.0.1 5000 typ host",
                sdpMid = "0",
                sdpMLineIndex = 0,
            }
        );
        var fromAlice = await bob.NextAsync("IceCandidate");
        Assert.Equal("candidate:1 1 udp 1 10.0.0.1 5000 typ host", fromAlice.GetProperty("candidate").GetString());
        Assert.Equal("0", fromAlice.GetProperty("sdpMid").GetString());
        Assert.Equal(0, fromAlice.GetProperty("sdpMLineIndex").GetInt32());

        await bob.SendAsync(
            new
            {
                action = "IceCandidate",
                candidate = "candidate:2 1 udp 1 10.0.0.2 6000 typ host",
                sdpMid = "0",
                sdpMLineIndex = 0,
            }
        );
        var fromBob = await alice.NextAsync("IceCandidate");
        Assert.Equal("candidate:2 1 udp 1 10.0.0.2 6000 typ host", fromBob.GetProperty("candidate").GetString());
        Assert.False(alice.HasPending("Offer") || bob.HasPending("Offer"), "nothing is echoed back to its sender");
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task A_third_peer_gets_ROOM_FULL_and_the_call_goes_on(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var a = await h.ConnectAsync();
        var b = await h.ConnectAsync();
        var c = await h.ConnectAsync();
        await a.JoinAsync("call-2", "p2p");
        await b.JoinAsync("call-2", "p2p");

        Assert.Equal(
            "ROOM_FULL",
            await c.ErrorCodeForAsync("""{"action":"Join","requestId":"r1","roomId":"call-2","roomKind":"p2p"}""", "r1")
        );

        await a.SendAsync(new { action = "Offer", sdp = "v=0\r\nstill-working" });
        Assert.Equal("v=0\r\nstill-working", (await b.NextAsync("Offer")).GetProperty("sdp").GetString());
        Assert.Null(await h.Store.HashGetAsync(RoomKeys.Connection(c.ConnectionId), "room"));
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task Leave_tells_the_other_peer_and_hands_ownership_over(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var a = await h.ConnectAsync();
        var b = await h.ConnectAsync();
        await a.JoinAsync("call-3", "p2p");
        await b.JoinAsync("call-3", "p2p");

        await a.SendAsync(new { action = "Leave", requestId = "bye" });
        Assert.Equal("call-3", (await a.NextAsync("LeaveAck")).GetProperty("roomId").GetString());
        var change = await b.NextAsync("PublishListChangeAck", m =>
            m.GetProperty("reason").GetString() == "ownerChanged"
        );
        Assert.Equal(b.ConnectionId, change.GetProperty("ownerId").GetString());
        Assert.Single(change.GetProperty("publishers").EnumerateArray());

        await b.SendAsync(new { action = "Leave" });
        await b.NextAsync("LeaveAck");
        Assert.False(await h.Store.ExistsAsync(RoomKeys.Room("call-3")), "the last one out deletes the room");
        Assert.False(await h.Store.ExistsAsync(RoomKeys.Publishers("call-3")));
    }
}
