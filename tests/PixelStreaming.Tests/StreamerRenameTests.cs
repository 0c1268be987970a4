using System.Text.Json.Nodes;
using MobZ.PixelStreaming.Matching;
using MobZ.PixelStreaming.Tests.Support;
using MobZ.TestKit.Redis;

namespace MobZ.PixelStreaming.Tests;

/// <summary>
/// A registered streamer sending <c>endpointId</c> again, on both store backends: as on Epic's server it is
/// renamed, confirmed, and its player hears <c>streamerIdChanged</c>; everything that named it follows.
/// </summary>
public sealed class StreamerRenameTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static JsonObject Subscribe(string streamerId) =>
        new() { ["type"] = "subscribe", ["streamerId"] = streamerId };

    private static JsonObject EndpointId(string id) => new() { ["type"] = "endpointId", ["id"] = id };

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_matched_streamer_that_renames_itself_is_confirmed_its_player_told_and_the_session_follows(
        string backend
    )
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        await using var ps = new PsStack(state.Store);
        var (s, sid) = await ps.RegisterStreamerAsync("ue-old");
        var p = await ps.ConnectPlayerAsync("rita");
        await ps.SendAsync(p, Subscribe(sid));
        await ps.NextAsync(s, "playerConnected");

        await ps.SendAsync(s, EndpointId("ue-new"));
        Assert.Equal("ue-new", (string?)(await ps.NextAsync(s, "endpointIdConfirm", skip: 1))["committedId"]);
        var changed = await ps.NextAsync(p, "streamerIdChanged");
        Assert.Equal("ue-new", (string?)changed["newID"]);
        Assert.Equal(2, changed.Count); // type and newID, nothing else (Epic's validator refuses unknown fields)

        Assert.False(await ps.Store.ExistsAsync(ps.Keys.Streamer("ue-old")));
        Assert.False(await ps.Store.SetContainsAsync(ps.Keys.Streamers, "ue-old"));
        Assert.True(await ps.Store.SetContainsAsync(ps.Keys.Streamers, "ue-new"));
        Assert.Equal("rita", await ps.Store.HashGetAsync(ps.Keys.Streamer("ue-new"), PsFields.Player));
        Assert.Equal("ue-new", await ps.Store.HashGetAsync(ps.Keys.Player("rita"), PsFields.Streamer));

        // Negotiation goes on under the new id, and the streamer leaving still closes its player.
        await ps.SendAsync(
            s,
            new JsonObject
            {
                ["type"] = "offer",
                ["playerId"] = "rita",
                ["sdp"] = "v=0",
            }
        );
        await ps.NextAsync(p, "offer");
        await ps.SendAsync(p, new JsonObject { ["type"] = "answer", ["sdp"] = "v=0 answer" });
        await ps.NextAsync(s, "answer");
        Assert.Equal(StreamerStates.Busy, await ps.Store.HashGetAsync(ps.Keys.Streamer("ue-new"), PsFields.State));
        await ps.DisconnectAsync(s);
        Assert.Equal(1000, ps.Gateway[p].CloseCode);
        Assert.False(await ps.Store.ExistsAsync(ps.Keys.Streamer("ue-new")));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task An_idle_streamer_renamed_is_listed_and_matched_by_its_new_id_and_a_taken_id_gets_a_suffix(
        string backend
    )
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        await using var ps = new PsStack(state.Store);
        await ps.RegisterStreamerAsync("ue-taken");
        var (s, _) = await ps.RegisterStreamerAsync("ue-a");
        var first = await ps.ConnectPlayerAsync("sam");
        await ps.SendAsync(first, Subscribe("ue-taken")); // the other streamer is busy: ue-a is the only idle one

        await ps.SendAsync(s, EndpointId("ue-taken"));
        Assert.Equal("ue-taken-1", (string?)(await ps.NextAsync(s, "endpointIdConfirm", skip: 1))["committedId"]);
        Assert.Equal(["ue-taken-1"], await ps.Get<Matchmaker>().IdleStreamersAsync());

        var p = await ps.ConnectPlayerAsync("tom");
        await ps.SendAsync(p, new JsonObject { ["type"] = "listStreamers" });
        Assert.Equal("ue-taken-1", (string?)(await ps.NextAsync(p, "streamerList"))["ids"]![0]);
        await ps.SendAsync(p, Subscribe("ue-taken-1"));
        Assert.Equal("tom", (string?)(await ps.NextAsync(s, "playerConnected"))["playerId"]);
        Assert.Empty(ps.Gateway[p].OfType("streamerIdChanged")); // it was renamed before tom subscribed

        var q = await ps.ConnectPlayerAsync("uma");
        await ps.SendAsync(q, Subscribe("ue-a"));
        Assert.Equal("Streamer ue-a does not exist.", (string?)(await ps.NextAsync(q, "subscribeFailed"))["message"]);
    }
}
