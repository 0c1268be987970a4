using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.PixelStreaming.Instances;
using MobZ.PixelStreaming.Matching;
using MobZ.PixelStreaming.Tests.Support;
using MobZ.State;
using MobZ.TestKit;

namespace MobZ.PixelStreaming.Tests;

public sealed class SignalingFlowTests : IAsyncLifetime
{
    private IStateBackend _backend = null!;
    private PsStack _ps = null!;

    public async Task InitializeAsync()
    {
        _backend = await StateBackend.CreateAsync(null, NullLoggerFactory.Instance);
        _ps = new PsStack(_backend.Store);
    }

    public async Task DisposeAsync()
    {
        await _ps.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Streamer_gets_config_with_protocol_version_then_identify_then_its_committed_id()
    {
        var (conn, id) = await _ps.RegisterStreamerAsync("ue-1");
        Assert.Equal("ue-1", id);
        var types = _ps.Gateway[conn].Types;
        Assert.Equal(["config", "identify", "endpointIdConfirm"], types);
        var config = _ps.Gateway[conn].Received[0];
        Assert.Equal("1.3.0", (string?)config["protocolVersion"]);
        Assert.NotNull(config["peerConnectionOptions"]?["iceServers"]);
    }

    [Fact]
    public async Task Second_streamer_with_a_live_clashing_id_gets_a_suffixed_id()
    {
        var (_, first) = await _ps.RegisterStreamerAsync("ue");
        var (_, second) = await _ps.RegisterStreamerAsync("ue");
        Assert.Equal("ue", first);
        Assert.Equal("ue-1", second);
    }

    [Fact]
    public async Task Restarted_streamer_reclaims_its_id_when_the_old_socket_is_already_gone()
    {
        var (old, _) = await _ps.RegisterStreamerAsync("ue");
        _ps.Gateway.Close(old); // socket gone, $disconnect not yet processed
        var (_, again) = await _ps.RegisterStreamerAsync("ue");
        Assert.Equal("ue", again);
    }

    [Fact]
    public async Task Player_lists_idle_streamers_or_only_the_waiting_queue()
    {
        var p1 = await _ps.ConnectPlayerAsync("alice");
        await _ps.SendAsync(p1, new JsonObject { ["type"] = "listStreamers" });
        var empty = await _ps.NextAsync(p1, "streamerList");
        Assert.Equal(["waiting_queue"], empty["ids"]!.AsArray().Select(n => (string)n!));

        await _ps.RegisterStreamerAsync("ue-a");
        await _ps.RegisterStreamerAsync("ue-b");
        await _ps.SendAsync(p1, new JsonObject { ["type"] = "listStreamers" });
        var two = await _ps.NextAsync(p1, "streamerList", skip: 1);
        Assert.Equal(["ue-a"], two["ids"]!.AsArray().Select(n => (string)n!));
    }

    [Fact]
    public async Task Config_reaches_the_player_before_its_streamer_list()
    {
        var p = await _ps.ConnectPlayerAsync("bob");
        await _ps.SendAsync(p, new JsonObject { ["type"] = "listStreamers" });
        await _ps.NextAsync(p, "streamerList");
        Assert.Equal(["config", "streamerList"], _ps.Gateway[p].Types);
    }

    [Fact]
    public async Task Subscribe_matches_relays_negotiation_and_marks_the_streamer_busy()
    {
        var (s, sid) = await _ps.RegisterStreamerAsync("ue-1");
        var p = await _ps.ConnectPlayerAsync("carol");
        await _ps.SendAsync(p, new JsonObject { ["type"] = "subscribe", ["streamerId"] = sid });

        var connected = await _ps.NextAsync(s, "playerConnected");
        Assert.Equal("carol", (string?)connected["playerId"]);
        Assert.False((bool)connected["sfu"]!);
        Assert.True((bool)connected["dataChannel"]!);
        Assert.Equal(StreamerStates.Reserved, await _ps.Store.HashGetAsync(_ps.Keys.Streamer(sid), PsFields.State));

        await _ps.SendAsync(
            s,
            new JsonObject
            {
                ["type"] = "offer",
                ["playerId"] = "carol",
                ["sdp"] = "v=0 offer",
            }
        );
        var offer = await _ps.NextAsync(p, "offer");
        Assert.Equal("v=0 offer", (string?)offer["sdp"]);
        Assert.Null(offer["playerId"]);

        // A player cannot speak for another player: its own id is stamped over whatever it claims.
        await _ps.SendAsync(
            p,
            new JsonObject
            {
                ["type"] = "answer",
                ["sdp"] = "v=0 answer",
                ["playerId"] = "mallory",
                ["minBitrateBps"] = 100000,
            }
        );
        var answer = await _ps.NextAsync(s, "answer");
        Assert.Equal("carol", (string?)answer["playerId"]);
        Assert.Equal(100000, (int)answer["minBitrateBps"]!);
        await Eventually.WaitUntilAsync(
            async () => await _ps.Store.HashGetAsync(_ps.Keys.Streamer(sid), PsFields.State) == StreamerStates.Busy,
            PsStack.Wait,
            "the streamer is BUSY after the answer"
        );

        await _ps.SendAsync(
            p,
            new JsonObject
            {
                ["type"] = "iceCandidate",
                ["candidate"] = new JsonObject
                {
                    ["candidate"] = "candidate:1 1 udp 1 127.0.0.1 5000 typ host",
                    ["sdpMid"] = "0",
                    ["sdpMLineIndex"] = 0,
                },
            }
        );
        Assert.Equal("carol", (string?)(await _ps.NextAsync(s, "iceCandidate"))["playerId"]);
        await _ps.SendAsync(
            s,
            new JsonObject
            {
                ["type"] = "iceCandidate",
                ["playerId"] = "carol",
                ["candidate"] = new JsonObject { ["candidate"] = "candidate:2" },
            }
        );
        Assert.Equal("candidate:2", (string?)(await _ps.NextAsync(p, "iceCandidate"))["candidate"]!["candidate"]);

        await _ps.SendAsync(
            p,
            new JsonObject
            {
                ["type"] = "layerPreference",
                ["spatialLayer"] = 1,
                ["temporalLayer"] = 0,
            }
        );
        Assert.Equal("carol", (string?)(await _ps.NextAsync(s, "layerPreference"))["playerId"]);
        await _ps.SendAsync(p, new JsonObject { ["type"] = "dataChannelRequest" });
        Assert.Equal("carol", (string?)(await _ps.NextAsync(s, "dataChannelRequest"))["playerId"]);
    }

    [Fact]
    public async Task Subscribing_to_a_streamer_that_is_no_longer_idle_takes_another_idle_one()
    {
        var (s1, id1) = await _ps.RegisterStreamerAsync("ue-1");
        var (s2, _) = await _ps.RegisterStreamerAsync("ue-2");
        var a = await _ps.ConnectPlayerAsync("a");
        var b = await _ps.ConnectPlayerAsync("b");
        await _ps.SendAsync(a, new JsonObject { ["type"] = "subscribe", ["streamerId"] = id1 });
        await _ps.SendAsync(b, new JsonObject { ["type"] = "subscribe", ["streamerId"] = id1 });
        Assert.Equal("a", (string?)(await _ps.NextAsync(s1, "playerConnected"))["playerId"]);
        Assert.Equal("b", (string?)(await _ps.NextAsync(s2, "playerConnected"))["playerId"]);
    }

    [Fact]
    public async Task Queued_player_is_connected_when_a_streamer_registers()
    {
        var p = await _ps.ConnectPlayerAsync("dave");
        await _ps.SendAsync(p, new JsonObject { ["type"] = "subscribe", ["streamerId"] = "waiting_queue" });
        Assert.Equal(["dave"], await _ps.Store.ListRangeAsync(_ps.Keys.Queue));

        var (s, sid) = await _ps.RegisterStreamerAsync("ue-late");
        Assert.Equal("dave", (string?)(await _ps.NextAsync(s, "playerConnected"))["playerId"]);
        Assert.Empty(await _ps.Store.ListRangeAsync(_ps.Keys.Queue));
        Assert.Empty(await _ps.Store.SortedSetRangeByScoreAsync(_ps.Keys.Idle));
        Assert.Equal(StreamerStates.Reserved, await _ps.Store.HashGetAsync(_ps.Keys.Streamer(sid), PsFields.State));
    }

    [Fact]
    public async Task Player_leaving_tells_its_streamer_and_the_worker_restarts_the_instance()
    {
        var registry = _ps.Get<InstanceRegistry>();
        await registry.AddAsync(
            InstanceRecord.Running(
                "ue-w",
                "10.1.2.3",
                new Uri("http://10.1.2.3:8081/"),
                "test",
                "ref",
                DateTimeOffset.UtcNow
            )
        );
        await _ps.Get<Security.StreamerAllowList>().AddAsync("10.1.2.3");
        var (s, sid) = await _ps.RegisterStreamerAsync("ue-w", "10.1.2.3");
        var p = await _ps.ConnectPlayerAsync("erin", "https://projects.example.test/erin%20one.uproject");
        await _ps.SendAsync(p, new JsonObject { ["type"] = "subscribe", ["streamerId"] = sid });
        await _ps.NextAsync(s, "playerConnected");

        var load = Assert.Single(_ps.Worker.Calls, c => c.Operation == "loadProject");
        Assert.Equal(new Uri("http://10.1.2.3:8081/"), load.Worker);
        Assert.Equal(
            "https://projects.example.test/erin%20one.uproject",
            ((Workers.LoadProjectRequest)load.Request).ProjectUrl
        );

        await _ps.DisconnectAsync(p);
        Assert.Equal("erin", (string?)(await _ps.NextAsync(s, "playerDisconnected"))["playerId"]);
        Assert.Single(_ps.Worker.Calls, c =>
            c.Operation == "disconnect" && ((Workers.DisconnectRequest)c.Request).PlayerId == "erin"
        );
        // Out of the pool until the restarted instance registers again.
        Assert.Equal(StreamerStates.Released, await _ps.Store.HashGetAsync(_ps.Keys.Streamer(sid), PsFields.State));
        Assert.False(await _ps.Store.ExistsAsync(_ps.Keys.Player("erin")));
    }

    [Fact]
    public async Task Streamer_without_a_worker_serves_the_next_queued_player_after_one_leaves()
    {
        var (s, _) = await _ps.RegisterStreamerAsync("ue-1");
        var a = await _ps.ConnectPlayerAsync("first");
        var b = await _ps.ConnectPlayerAsync("second");
        await _ps.SendAsync(a, new JsonObject { ["type"] = "subscribe", ["streamerId"] = "waiting_queue" });
        await _ps.SendAsync(b, new JsonObject { ["type"] = "subscribe", ["streamerId"] = "waiting_queue" });
        await _ps.NextAsync(s, "playerConnected");
        await _ps.SendAsync(a, new JsonObject { ["type"] = "unsubscribe" });
        Assert.Equal("second", (string?)(await _ps.NextAsync(s, "playerConnected", skip: 1))["playerId"]);
        Assert.Equal(
            ["config", "identify", "endpointIdConfirm", "playerConnected", "playerDisconnected", "playerConnected"],
            _ps.Gateway[s].Types
        );
    }

    [Fact]
    public async Task Streamer_leaving_before_its_offer_puts_the_player_back_at_the_head_of_the_queue()
    {
        var (s, sid) = await _ps.RegisterStreamerAsync("ue-1");
        var p = await _ps.ConnectPlayerAsync("frank");
        await _ps.SendAsync(p, new JsonObject { ["type"] = "subscribe", ["streamerId"] = sid });
        await _ps.NextAsync(s, "playerConnected");
        await _ps.DisconnectAsync(s);
        var player = await _ps.Store.HashGetAllAsync(_ps.Keys.Player("frank"));
        Assert.Equal(PlayerStates.Waiting, player[PsFields.State]);
        Assert.False(player.ContainsKey(PsFields.Streamer));
        Assert.Equal(["frank"], await _ps.Store.ListRangeAsync(_ps.Keys.Queue));
        // The stock frontend saw nothing of the failed hand-over; it only hears that it waits, first in line.
        Assert.Equal(["config", "queueStatus"], _ps.Gateway[p].Types);
        Assert.Equal(1, (int)_ps.Gateway[p].OfType("queueStatus")[0]["position"]!);
        Assert.False(_ps.Gateway[p].Closed);
        Assert.False(await _ps.Store.ExistsAsync(_ps.Keys.Streamer(sid)));
        Assert.DoesNotContain(sid, await _ps.Store.SetMembersAsync(_ps.Keys.Streamers));
    }

    [Fact]
    public async Task Streamer_can_disconnect_its_own_player_but_not_another_streamers()
    {
        var (s1, id1) = await _ps.RegisterStreamerAsync("ue-1");
        var (s2, id2) = await _ps.RegisterStreamerAsync("ue-2");
        var p1 = await _ps.ConnectPlayerAsync("p1");
        var p2 = await _ps.ConnectPlayerAsync("p2");
        await _ps.SendAsync(p1, new JsonObject { ["type"] = "subscribe", ["streamerId"] = id1 });
        await _ps.SendAsync(p2, new JsonObject { ["type"] = "subscribe", ["streamerId"] = id2 });
        await _ps.NextAsync(s2, "playerConnected");

        await _ps.SendAsync(
            s1,
            new JsonObject
            {
                ["type"] = "disconnectPlayer",
                ["playerId"] = "p2",
                ["reason"] = "hijack",
            }
        );
        Assert.Contains("not your player", (string?)(await _ps.NextAsync(s1, "error"))["message"]);
        Assert.False(_ps.Gateway[p2].Closed);

        // Nor can it send signalling to a player it does not serve.
        await _ps.SendAsync(
            s1,
            new JsonObject
            {
                ["type"] = "offer",
                ["playerId"] = "p2",
                ["sdp"] = "evil",
            }
        );
        await _ps.NextAsync(s1, "error", skip: 1);
        Assert.Empty(_ps.Gateway[p2].OfType("offer"));

        await _ps.SendAsync(
            s1,
            new JsonObject
            {
                ["type"] = "disconnectPlayer",
                ["playerId"] = "p1",
                ["reason"] = "kicked",
            }
        );
        await Eventually.WaitUntilAsync(() => _ps.Gateway[p1].DeletedByServer, PsStack.Wait, "p1's socket was closed");
        Assert.Equal("p1", (string?)(await _ps.NextAsync(s1, "playerDisconnected"))["playerId"]);
        Assert.False(await _ps.Store.ExistsAsync(_ps.Keys.Player("p1")));
    }

    [Theory]
    [InlineData("not json", "expected a JSON object")]
    [InlineData("[1,2]", "expected a JSON object")]
    [InlineData("{\"type\":5}", "expected a JSON object")]
    [InlineData("{\"sdp\":\"x\"}", "expected a JSON object")]
    public async Task Bad_frames_get_an_error_reply_and_the_connection_keeps_working(string frame, string expected)
    {
        var p = await _ps.ConnectPlayerAsync("gina");
        await _ps.SendRawAsync(p, frame);
        Assert.Contains(expected, (string?)(await _ps.NextAsync(p, "error"))["message"]);
        await _ps.SendAsync(p, new JsonObject { ["type"] = "listStreamers" });
        await _ps.NextAsync(p, "streamerList");
    }

    [Fact]
    public async Task Random_and_truncated_frames_never_throw_and_always_get_an_answer()
    {
        var p = await _ps.ConnectPlayerAsync("fuzz");
        var (s, _) = await _ps.RegisterStreamerAsync("ue-f");
        var random = new Random(1234);
        var samples = new[]
        {
            "{\"type\":\"subscribe\",\"streamerId\":\"ue-f\"}",
            "{\"type\":\"answer\",\"sdp\":\"v=0\"}",
            "{\"type\":\"ping\",\"time\":1}",
            "{\"type\":\"endpointId\",\"id\":\"x\"}",
        };
        for (var i = 0; i < 200; i++)
        {
            var sample = samples[random.Next(samples.Length)];
            var frame = random.Next(3) switch
            {
                0 => sample[..random.Next(sample.Length)],
                1 => new string(sample.Select(c => random.Next(8) == 0 ? (char)random.Next(32, 127) : c).ToArray()),
                _ => sample,
            };
            await _ps.SendRawAsync(random.Next(2) == 0 ? p : s, frame);
        }
        await _ps.SendAsync(p, new JsonObject { ["type"] = "ping", ["time"] = 7 });
        await Eventually.WaitUntilAsync(
            () => _ps.Gateway[p].OfType("pong").Any(m => (long)m["time"]! == 7),
            PsStack.Wait,
            "the player still answers"
        );
    }

    [Theory]
    [InlineData("1732190000123")]
    [InlineData("9007199254740991")]
    [InlineData("12.75")]
    [InlineData("1.5e3")]
    [InlineData("\"now\"")]
    public async Task Ping_is_answered_with_pong_echoing_the_time_verbatim(string time)
    {
        var (s, _) = await _ps.RegisterStreamerAsync("ue-p");
        await _ps.SendRawAsync(s, $"{{\"type\":\"ping\",\"time\":{time}}}");
        Assert.Equal(time, (await _ps.NextAsync(s, "pong"))["time"]!.ToJsonString());
    }

    [Fact]
    public async Task Unknown_types_are_dropped_without_a_reply_as_Epic_does_and_the_connection_keeps_working()
    {
        var p = await _ps.ConnectPlayerAsync("ivy");
        var (s, _) = await _ps.RegisterStreamerAsync("ue-u");
        var dropped = 0L;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == PsMetrics.MeterName && i.Name == "mobz.ps.messages.dropped")
                l.EnableMeasurementEvents(i);
        };
        listener.SetMeasurementEventCallback<long>((_, v, _, _) => Interlocked.Add(ref dropped, v));
        listener.Start();

        await _ps.SendRawAsync(p, "{\"type\":\"teleport\"}");
        await _ps.SendRawAsync(s, "{\"type\":\"subscribe\",\"streamerId\":\"x\"}");
        await _ps.SendAsync(p, new JsonObject { ["type"] = "ping", ["time"] = 1 });
        await _ps.SendAsync(s, new JsonObject { ["type"] = "ping", ["time"] = 2 });
        await _ps.NextAsync(p, "pong");
        await _ps.NextAsync(s, "pong");
        Assert.Equal(["config", "pong"], _ps.Gateway[p].Types);
        Assert.Equal(["config", "identify", "endpointIdConfirm", "pong"], _ps.Gateway[s].Types);
        Assert.True(Interlocked.Read(ref dropped) >= 2, $"dropped count {dropped}");
    }

    [Fact]
    public async Task Same_user_connecting_again_takes_over_and_the_old_socket_is_closed()
    {
        var (s, sid) = await _ps.RegisterStreamerAsync("ue-1");
        var first = await _ps.ConnectPlayerAsync("henry");
        await _ps.SendAsync(first, new JsonObject { ["type"] = "subscribe", ["streamerId"] = sid });
        await _ps.NextAsync(s, "playerConnected");
        var second = await _ps.ConnectPlayerAsync("henry");
        Assert.True(_ps.Gateway[first].DeletedByServer);
        Assert.Equal("henry", (string?)(await _ps.NextAsync(s, "playerDisconnected"))["playerId"]);
        Assert.Equal(second, await _ps.Store.HashGetAsync(_ps.Keys.Player("henry"), PsFields.Conn));
        // The late $disconnect of the old socket must not touch the new session.
        await _ps.DisconnectAsync(first);
        Assert.Equal(second, await _ps.Store.HashGetAsync(_ps.Keys.Player("henry"), PsFields.Conn));
    }

    [Fact]
    public async Task Configured_peer_connection_options_reach_both_peers_untouched()
    {
        const string peer =
            """{"iceServers":[{"urls":["stun:stun.example.test:3478"]}],"bundlePolicy":"max-bundle","encodings":[{"maxBitrate":2500000,"scalabilityMode":"L1T3"}]}""";
        await using var ps = new PsStack(_backend.Store, o => o.PeerConnectionOptions = peer);
        var (s, _) = await ps.RegisterStreamerAsync("ue-cfg");
        var p = await ps.ConnectPlayerAsync("cfg");
        await ps.SendAsync(p, new JsonObject { ["type"] = "listStreamers" });
        await ps.NextAsync(p, "streamerList");
        foreach (var conn in new[] { s, p })
        {
            var config = ps.Gateway[conn].OfType("config").Single();
            Assert.Equal(peer, config["peerConnectionOptions"]!.ToJsonString());
            Assert.Equal("1.3.0", (string?)config["protocolVersion"]);
        }
    }

    [Fact]
    public async Task Ice_servers_fill_in_peer_connection_options_without_their_own()
    {
        await using var ps = new PsStack(_backend.Store, o =>
        {
            o.PeerConnectionOptions = """{"bundlePolicy":"balanced"}""";
            o.IceServers =
            [
                new PixelStreaming.IceServerOptions
                {
                    Urls = ["turn:turn.example.test:3478"],
                    Username = "u",
                    Credential = "c",
                },
            ];
        });
        var (s, _) = await ps.RegisterStreamerAsync("ue-ice");
        Assert.Equal(
            """{"bundlePolicy":"balanced","iceServers":[{"urls":["turn:turn.example.test:3478"],"username":"u","credential":"c"}]}""",
            ps.Gateway[s].OfType("config").Single()["peerConnectionOptions"]!.ToJsonString()
        );
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    public void Peer_connection_options_that_are_not_a_json_object_fail_at_startup(string value)
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            new PsStack(_backend.Store, o => o.PeerConnectionOptions = value)
        );
        Assert.Contains("PeerConnectionOptions", e.Message);
    }
}
