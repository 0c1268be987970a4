using System.Text.Json;
using MobZ.Signaling.Rooms.State;
using MobZ.Signaling.Tests.Harness;
using MobZ.TestKit;
using MobZ.TestKit.Redis;
using MobZ.TestKit.WebSockets;

namespace MobZ.Signaling.Tests.Rooms;

/// <summary>A member that never reads what it is sent must not hold up anyone else's signaling.</summary>
public sealed class SlowMemberTests(RedisServer redis) : IClassFixture<RedisServer>
{
    // Well under the 29 s integration timeout a stuck send used to wait for, and generous for a busy machine.
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_viewer_that_never_reads_does_not_delay_another_publishers_offer_answer_and_next_reply()
    {
        await using var h = (GatewayRoomHarness)
            await RoomHarness.CreateAsync(Backends.Gateway + Backends.InProcess, redis);
        await h.StartMunitAsync("munit-a");
        var first = await h.ConnectAsync();
        await first.JoinAsync("stuck", "m2m", "publisher", "first");

        // The stuck viewer joins, then asks for far more than its TCP window holds (60 KB requestIds are echoed
        // back in HeartbeatAck) and never reads a byte of it.
        using var stuck = await NonReadingWebSocket.ConnectAsync(h.WebSocketUrl("/ws?access_token=" + h.Token()));
        await stuck.SendTextAsync(
            JsonSerializer.Serialize(
                new
                {
                    action = "Join",
                    requestId = "j",
                    roomId = "stuck",
                    roomKind = "m2m",
                    role = "viewer",
                }
            )
        );
        await Eventually.WaitUntilAsync(
            async () => await h.Store.HashLengthAsync(RoomKeys.Viewers("stuck")) == 1,
            Prompt,
            "the stuck viewer is in the room"
        );
        var bigRequestId = new string('x', 60 * 1024);
        for (int i = 0; i < 200; i++)
        {
            try
            {
                await stuck.SendTextAsync(
                    JsonSerializer.Serialize(new { action = "Heartbeat", requestId = bigRequestId })
                );
            }
            catch (IOException)
            {
                // The server dropped it as a slow consumer before it finished asking: one of the outcomes waited for
                // below.
                break;
            }
        }

        // Replies owed to it back up: first in the server's kernel buffer (that is what this waits for), then in
        // whatever the gateway holds — or it is dropped as a slow consumer.
        await Eventually.WaitUntilAsync(
            () => stuck.ServerUnsentBytes() is >= 1024 * 1024 or < 0,
            Prompt,
            "the server is backed up behind the stuck viewer, or has dropped it"
        );
        // Another publisher joins and goes live: both fan out to the room, stuck viewer included.
        var second = await h.ConnectAsync();
        await second.JoinAsync("stuck", "m2m", "publisher", "second");
        await second.SendAsync(
            new
            {
                action = "Offer",
                requestId = "o2",
                sdp = "v=0\r\nsecond-offer",
            }
        );
        var answer = await second.NextAsync("Answer", timeout: Prompt);
        Assert.Equal("o2", answer.GetProperty("requestId").GetString());
        // Its connection's messages run one after another: the next reply waits for the announcement fan-out.
        await second.SendAsync(new { action = "Heartbeat", requestId = "after-offer" });
        var ack = await second.NextAsync(
            "HeartbeatAck",
            m => m.GetProperty("requestId").GetString() == "after-offer",
            Prompt
        );
        Assert.Equal(second.ConnectionId, ack.GetProperty("participantId").GetString());
    }
}
