using MobZ.Signaling.Rooms.State;
using MobZ.Signaling.Tests.Harness;
using MobZ.TestKit.Redis;

namespace MobZ.Signaling.Tests.Rooms;

/// <summary>
/// Redis stalls (SIGSTOP: the sockets stay open, nothing is answered — a paused VM, a partition, a long fork). Every
/// store call then runs into its timeout. Clients must be told something they can act on: a request in flight is
/// answered STORE_UNAVAILABLE (retry), a new socket 503 with Retry-After — never INTERNAL_ERROR or a bare 500 —
/// and once Redis continues nothing was lost.
/// </summary>
public sealed class StoreStallTests
{
    [Theory]
    [InlineData(Backends.Direct + Backends.Redis)]
    [InlineData(Backends.Gateway + Backends.Redis)]
    public async Task While_the_store_is_frozen_actions_get_STORE_UNAVAILABLE_and_a_new_socket_503_with_Retry_After(
        string backend
    )
    {
        await using var redis = await RedisServer.StartPrivateAsync();
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var alice = await h.ConnectAsync(userId: "alice");
        var bob = await h.ConnectAsync(userId: "bob");
        await alice.JoinAsync("stalled", "p2p", "publisher");
        await alice.SyncAsync(); // the Join's work after its JoinAck is done before Redis stops

        redis.Pause();
        try
        {
            // The store call runs into its timeout (5 s, the client's default) before the answer comes.
            Assert.Equal(
                "STORE_UNAVAILABLE",
                await alice.ErrorCodeForAsync("""{"action":"Heartbeat","requestId":"hb"}""", "hb")
            );
            Assert.Equal(
                "STORE_UNAVAILABLE",
                await bob.ErrorCodeForAsync(
                    """{"action":"Join","requestId":"j","roomId":"stalled","roomKind":"p2p","role":"publisher"}""",
                    "j"
                )
            );

            Assert.Null(await h.ConnectWithTokenAsync(h.Token()));
            Assert.Equal(503, h.LastConnectStatus);
            Assert.Equal("1", h.LastConnectRetryAfter);
        }
        finally
        {
            redis.Resume();
        }

        // Redis continues where it stopped: the same sockets work, the room is as it was, bob's Join now succeeds.
        await alice.SyncAsync();
        Assert.Equal("p2p", (await bob.JoinAsync("stalled", "p2p", "publisher")).GetProperty("roomKind").GetString());
        Assert.Equal(
            new[] { alice.ConnectionId, bob.ConnectionId }.Order(),
            (await h.Store.HashGetAllAsync(RoomKeys.Publishers("stalled"))).Keys.Order()
        );
        Assert.NotNull(await h.ConnectWithTokenAsync(h.Token()));
    }
}
