using System.Text.Json;
using MobZ.Contracts;
using MobZ.Signaling.Rooms.State;
using MobZ.Signaling.Tests.Harness;
using MobZ.TestKit.Redis;

namespace MobZ.Signaling.Tests.Rooms;

public sealed class M2mRoomTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task Nine_publishers_get_stations_the_tenth_is_refused_and_200_viewers_get_offers_for_all_nine(
        string backend
    )
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var munit = await h.StartMunitAsync("munit-a");

        var publishers = new List<TestClient>();
        for (int i = 0; i < 9; i++)
        {
            var p = await h.ConnectAsync();
            var ack = await p.JoinAsync("big", "m2m", "publisher", $"pub{i}");
            Assert.Equal("publisher", ack.GetProperty("participantType").GetString());
            Assert.Equal(i, ack.GetProperty("publishers").GetArrayLength());
            string stationId = ack.GetProperty("stationId").GetString()!;
            // Intent first: the station's keys exist by the time the client hears of it.
            Assert.Equal("munit-a", await h.Store.HashGetAsync(MunitKeys.Station(stationId), StationFields.Munit));
            Assert.True(await h.Store.SetContainsAsync(MunitKeys.Stations("munit-a"), stationId));
            publishers.Add(p);
        }
        await Eventually(() => munit.Assigns.Count() == 9, "the Munit got nine Assign orders");

        // Each publisher's offer goes to its station and the Munit's answer comes back; that makes it live.
        for (int i = 0; i < 9; i++)
        {
            await publishers[i]
                .SendAsync(
                    new
                    {
                        action = "Offer",
                        requestId = $"o{i}",
                        sdp = $"v=0\r\npublisher-offer-{i}",
                    }
                );
            var answer = await publishers[i].NextAsync("Answer");
            Assert.Equal($"o{i}", answer.GetProperty("requestId").GetString());
            Assert.Contains("a=recvonly", answer.GetProperty("sdp").GetString());
            var publish = Assert.Single(munit.Requests, r =>
                r.Op == MediaOps.Publish && r.PeerId == publishers[i].ConnectionId
            );
            Assert.Equal($"v=0\r\npublisher-offer-{i}", publish.Sdp);
        }
        Assert.All(munit.Assigns, a => Assert.Equal("m2m", a.RoomKind));
        Assert.All(munit.Assigns, a => Assert.False(a.Hls));

        var tenth = await h.ConnectAsync();
        Assert.Equal(
            "ROOM_FULL",
            await tenth.ErrorCodeForAsync(
                """{"action":"Join","requestId":"p10","roomId":"big","roomKind":"m2m","role":"publisher"}""",
                "p10"
            )
        );
        Assert.Equal(9, await h.Store.HashLengthAsync(RoomKeys.Publishers("big")));

        var viewers = new List<TestClient>();
        for (int batch = 0; batch < 10; batch++)
        {
            var joins = Enumerable
                .Range(0, 20)
                .Select(async _ =>
                {
                    var v = await h.ConnectAsync();
                    var ack = await v.JoinAsync("big", "m2m", "viewer");
                    return (v, ack);
                });
            foreach (var (v, ack) in await Task.WhenAll(joins))
            {
                Assert.Equal("viewer", ack.GetProperty("participantType").GetString());
                var offers = ack.GetProperty("publishers").EnumerateArray().ToList();
                Assert.Equal(9, offers.Count);
                Assert.All(offers, o => Assert.StartsWith("v=0\r\n", o.GetProperty("offerSdp").GetString()));
                viewers.Add(v);
            }
        }
        Assert.Equal(200, await h.Store.HashLengthAsync(RoomKeys.Viewers("big")));

        var extra = await h.ConnectAsync();
        Assert.Equal(
            "ROOM_FULL",
            await extra.ErrorCodeForAsync(
                """{"action":"Join","requestId":"v201","roomId":"big","roomKind":"m2m","role":"viewer"}""",
                "v201"
            )
        );
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task A_publisher_becomes_watchable_with_its_first_answered_offer_and_everyone_in_the_room_is_told(
        string backend
    )
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var munit = await h.StartMunitAsync("munit-a");
        var alice = await h.ConnectAsync();
        var bob = await h.ConnectAsync();
        var viewer = await h.ConnectAsync();
        await alice.JoinAsync("live", "m2m", "publisher");
        await alice.SendAsync(
            new
            {
                action = "Offer",
                requestId = "a1",
                sdp = "v=0\r\nalice",
            }
        );
        await alice.NextAsync("Answer");

        // Bob joins: alice hears "joined" with bob not live yet; bob's JoinAck offers alice, who is live.
        var bobAck = await bob.JoinAsync("live", "m2m", "publisher");
        var aliceInfo = Assert.Single(bobAck.GetProperty("publishers").EnumerateArray());
        Assert.True(aliceInfo.GetProperty("live").GetBoolean());
        Assert.StartsWith("v=0", aliceInfo.GetProperty("offerSdp").GetString());
        var joined = await alice.NextAsync("PublishListChangeAck", m =>
            m.GetProperty("reason").GetString() == "joined"
        );
        var bobJoined = Assert.Single(joined.GetProperty("publishers").EnumerateArray(), p =>
            p.GetProperty("participantId").GetString() == bob.ConnectionId
        );
        Assert.False(bobJoined.TryGetProperty("live", out var l) && l.GetBoolean());

        // A viewer joining before bob's offer gets no offer for bob (his station has nothing to send yet).
        var viewerAck = await viewer.JoinAsync("live", "m2m", "viewer");
        var bobForViewer = Assert.Single(viewerAck.GetProperty("publishers").EnumerateArray(), p =>
            p.GetProperty("participantId").GetString() == bob.ConnectionId
        );
        Assert.False(
            bobForViewer.TryGetProperty("offerSdp", out var offer)
                && offer.ValueKind == System.Text.Json.JsonValueKind.String
        );
        int watchesBefore = munit.Requests.Count(r => r.Op == MediaOps.Watch);

        // Bob's first answered offer: everyone else is told he is live, and a Watch for him then works.
        await bob.SendAsync(
            new
            {
                action = "Offer",
                requestId = "b1",
                sdp = "v=0\r\nbob",
            }
        );
        await bob.NextAsync("Answer");
        foreach (var other in new[] { alice, viewer })
        {
            var published = await other.NextAsync("PublishListChangeAck", m =>
                m.GetProperty("reason").GetString() == "published"
            );
            var bobLive = Assert.Single(published.GetProperty("publishers").EnumerateArray(), p =>
                p.GetProperty("participantId").GetString() == bob.ConnectionId
            );
            Assert.True(bobLive.GetProperty("live").GetBoolean());
        }
        await viewer.SendAsync(
            new
            {
                action = "Watch",
                requestId = "w-bob",
                publisherId = bob.ConnectionId,
            }
        );
        Assert.Equal(bob.ConnectionId, (await viewer.NextAsync("WatchAck")).GetProperty("publisherId").GetString());
        Assert.Equal(watchesBefore + 1, munit.Requests.Count(r => r.Op == MediaOps.Watch));

        // A renegotiating offer announces nothing new.
        await bob.SendAsync(
            new
            {
                action = "Offer",
                requestId = "b2",
                sdp = "v=0\r\nbob-again",
            }
        );
        await bob.NextAsync("Answer", m => m.GetProperty("requestId").GetString() == "b2");
        await bob.SyncAsync();
        await alice.SyncAsync();
        Assert.Single(alice.Received, m =>
            TestClient.Action(m) == "PublishListChangeAck" && m.GetProperty("reason").GetString() == "published"
        );
        Assert.DoesNotContain(bob.Received, m =>
            TestClient.Action(m) == "PublishListChangeAck" && m.GetProperty("reason").GetString() == "published"
        );
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task Concurrent_joins_elect_exactly_one_owner_and_never_exceed_the_publisher_limit(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis, o => o.MaxM2mPublishers = 4);
        await h.StartMunitAsync("munit-a");
        var clients = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => h.ConnectAsync()));

        await Task.WhenAll(
            clients.Select(c =>
                c.SendAsync(
                    new
                    {
                        action = "Join",
                        requestId = "j",
                        roomId = "race",
                        roomKind = "m2m",
                        role = "publisher",
                    }
                )
            )
        );
        var outcomes = await Task.WhenAll(
            clients.Select(async c =>
            {
                await Eventually(() => c.HasPending("JoinAck") || c.HasPending("Error"), "the join was answered");
                return c.HasPending("JoinAck") ? await c.NextAsync("JoinAck") : await c.NextAsync("Error");
            })
        );

        var acks = outcomes.Where(o => TestClient.Action(o) == "JoinAck").ToList();
        Assert.Equal(4, acks.Count);
        Assert.All(outcomes.Where(o => TestClient.Action(o) == "Error"), e =>
            Assert.Equal("ROOM_FULL", e.GetProperty("code").GetString())
        );
        var owners = acks.Select(a => a.GetProperty("ownerId").GetString()).Distinct().ToList();
        Assert.Single(owners);
        Assert.Contains(owners[0], acks.Select(a => a.GetProperty("participantId").GetString()));
        Assert.Equal(4, await h.Store.HashLengthAsync(RoomKeys.Publishers("race")));
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task Watch_returns_the_Munits_offer_and_answers_candidates_and_layers_go_to_that_station(
        string backend
    )
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var munit = await h.StartMunitAsync("munit-a");
        var pub = await h.ConnectAsync();
        var viewer = await h.ConnectAsync();
        string stationId = (await pub.JoinAsync("watch", "m2m", "publisher")).GetProperty("stationId").GetString()!;
        await viewer.JoinAsync("watch", "m2m", "viewer");

        await viewer.SendAsync(
            new
            {
                action = "Watch",
                requestId = "w1",
                publisherId = pub.ConnectionId,
            }
        );
        var watchAck = await viewer.NextAsync("WatchAck");
        Assert.Equal(stationId, watchAck.GetProperty("stationId").GetString());
        Assert.Equal(pub.ConnectionId, watchAck.GetProperty("publisherId").GetString());
        Assert.Contains("a=sendonly", watchAck.GetProperty("sdp").GetString());

        await viewer.SendAsync(
            new
            {
                action = "Answer",
                stationId,
                sdp = "v=0\r\nviewer-answer",
            }
        );
        await viewer.SendAsync(
            new
            {
                action = "IceCandidate",
                stationId,
                candidate = "candidate:9 1 udp 1 127.0.0.1 7000 typ host",
                sdpMid = "0",
            }
        );
        await viewer.SendAsync(
            new
            {
                action = "SimulcastUpdate",
                requestId = "s1",
                stationId,
                layer = "l",
            }
        );
        var layerAck = await viewer.NextAsync("SimulcastUpdateAck");
        Assert.Equal("l", layerAck.GetProperty("layer").GetString());

        Assert.Contains(munit.Requests, r =>
            r.Op == MediaOps.Answer
            && r.Sdp == "v=0\r\nviewer-answer"
            && r.StationId == stationId
            && r.PeerId == viewer.ConnectionId
        );
        Assert.Contains(munit.Requests, r =>
            r.Op == MediaOps.Candidate && r.Candidate!.StartsWith("candidate:9") && r.SdpMid == "0"
        );
        Assert.Contains(munit.Requests, r => r.Op == MediaOps.Simulcast && r.Layer == "l" && r.StationId == stationId);

        // A viewer leaving tells the station it watched, without waiting for an answer.
        await viewer.CloseAsync();
        await Eventually(
            () => munit.Requests.Any(r => r.Op == MediaOps.Leave && r.PeerId == viewer.ConnectionId && r.ReplyTo == ""),
            "the Munit heard the viewer leave"
        );
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task UpdateVideo_is_stored_and_broadcast_to_everyone_else_in_the_room(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        await h.StartMunitAsync("munit-a");
        var a = await h.ConnectAsync();
        var b = await h.ConnectAsync();
        var v = await h.ConnectAsync();
        await a.JoinAsync("uv", "m2m", "publisher");
        await b.JoinAsync("uv", "m2m", "publisher");
        await v.JoinAsync("uv", "m2m", "viewer");

        await a.SendAsync(
            new
            {
                action = "UpdateVideo",
                requestId = "a-private",
                video = false,
            }
        );
        foreach (var other in new[] { b, v })
        {
            var n = await other.NextAsync("UpdateVideo");
            Assert.Equal(a.ConnectionId, n.GetProperty("participantId").GetString());
            Assert.False(n.TryGetProperty("requestId", out _), "a notice never carries its sender's requestId");
            Assert.False(n.GetProperty("video").GetBoolean());
            Assert.True(n.GetProperty("audio").GetBoolean());
        }
        await a.SyncAsync();
        Assert.False(a.HasPending("UpdateVideo"));

        // A later joiner sees the stored flags.
        var late = await h.ConnectAsync();
        var ack = await late.JoinAsync("uv", "m2m", "viewer");
        var aInfo = ack.GetProperty("publishers")
            .EnumerateArray()
            .Single(p => p.GetProperty("participantId").GetString() == a.ConnectionId);
        Assert.False(aInfo.GetProperty("video").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task Stations_go_to_the_least_loaded_alive_Munit_that_is_not_draining(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var busy = await h.StartMunitAsync("munit-zz-busy", load: 0.8);
        var draining = await h.StartMunitAsync("munit-draining", load: 0.1, draining: true);
        var dead = await h.StartMunitAsync("munit-dead", load: 0.0, alive: false);
        var idle = await h.StartMunitAsync("munit-idle", load: 0.2);

        var p = await h.ConnectAsync();
        string stationId = (await p.JoinAsync("pick", "m2m", "publisher")).GetProperty("stationId").GetString()!;
        Assert.Equal("munit-idle", await h.Store.HashGetAsync(MunitKeys.Station(stationId), StationFields.Munit));
        await Eventually(() => idle.Assigns.Any(a => a.StationId == stationId), "the idle Munit got the Assign");
        Assert.Empty(busy.Assigns.Concat(draining.Assigns).Concat(dead.Assigns));

        // Equal load: the one with fewer stations wins, though the registry lists the other first.
        await h.Store.SortedSetAddAsync(MunitKeys.Registry, "munit-zz-busy", 0.2);
        var q = await h.ConnectAsync();
        string second = (await q.JoinAsync("pick", "m2m", "publisher")).GetProperty("stationId").GetString()!;
        Assert.Equal("munit-zz-busy", await h.Store.HashGetAsync(MunitKeys.Station(second), StationFields.Munit));

        // The publisher leaves: Unassign, and the intent keys are gone.
        await p.SendAsync(new { action = "Leave" });
        await p.NextAsync("LeaveAck");
        Assert.False(await h.Store.ExistsAsync(MunitKeys.Station(stationId)));
        Assert.False(await h.Store.SetContainsAsync(MunitKeys.Stations("munit-idle"), stationId));
        await Eventually(() => idle.Unassigns.Any(u => u.StationId == stationId), "the Munit got the Unassign");
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task A_burst_of_nine_publishers_spreads_over_three_Munits_whose_reported_loads_differ_a_little(
        string backend
    )
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        // Reported loads lag a burst; these differ as idle Munits' CPU readings do.
        string[] munits = ["munit-a", "munit-b", "munit-c"];
        for (int i = 0; i < munits.Length; i++)
            await h.StartMunitAsync(munits[i], load: 0.01 * (i + 1));
        var clients = await Task.WhenAll(Enumerable.Range(0, 9).Select(_ => h.ConnectAsync()));

        await Task.WhenAll(
            clients.Select(
                (c, i) =>
                    c.SendAsync(
                        new
                        {
                            action = "Join",
                            requestId = "j",
                            roomId = "burst",
                            roomKind = "m2m",
                            role = "publisher",
                            userId = $"p{i}",
                        }
                    )
            )
        );
        var acks = await Task.WhenAll(clients.Select(c => c.NextAsync("JoinAck")));

        var placed = new List<string>();
        foreach (var ack in acks)
        {
            placed.Add(
                (
                    await h.Store.HashGetAsync(
                        MunitKeys.Station(ack.GetProperty("stationId").GetString()!),
                        StationFields.Munit
                    )
                )!
            );
        }

        foreach (var munit in munits)
        {
            long count = placed.Count(m => m == munit);
            Assert.True(count is >= 2 and <= 4, $"{munit} got {count} of 9 stations: {string.Join(",", placed)}");
            Assert.Equal(count, await h.Store.SetLengthAsync(MunitKeys.Stations(munit)));
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task Without_a_usable_Munit_a_publisher_gets_NO_MUNIT_AVAILABLE_and_no_slot(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        await h.StartMunitAsync("munit-draining", draining: true);
        var p = await h.ConnectAsync();
        Assert.Equal(
            "NO_MUNIT_AVAILABLE",
            await p.ErrorCodeForAsync("""{"action":"Join","requestId":"j","roomId":"nomunit","roomKind":"m2m"}""", "j")
        );
        Assert.False(await h.Store.ExistsAsync(RoomKeys.Publishers("nomunit")));
        Assert.Null(await h.Store.HashGetAsync(RoomKeys.Connection(p.ConnectionId), "room"));

        // Viewers need no station.
        var ack = await p.JoinAsync("nomunit", "m2m", "viewer");
        Assert.Equal("viewer", ack.GetProperty("participantType").GetString());
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task A_Munit_that_refuses_an_offer_yields_MUNIT_ERROR_to_that_publisher_only(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var munit = await h.StartMunitAsync("munit-a");
        var p = await h.ConnectAsync();
        await p.JoinAsync("refuse", "m2m");
        munit.FailOp = MediaOps.Publish;
        Assert.Equal(
            "MUNIT_ERROR",
            await p.ErrorCodeForAsync("""{"action":"Offer","requestId":"o","sdp":"v=0"}""", "o")
        );
        munit.FailOp = null;
        await p.SendAsync(new { action = "Offer", sdp = "v=0" });
        await p.NextAsync("Answer");
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task After_a_Regulator_moves_a_station_signals_and_Unassign_follow_it_to_the_new_Munit(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        var first = await h.StartMunitAsync("munit-a");
        var pub = await h.ConnectAsync();
        var viewer = await h.ConnectAsync();
        string stationId = (await pub.JoinAsync("moved", "m2m")).GetProperty("stationId").GetString()!;
        await viewer.JoinAsync("moved", "m2m", "viewer");
        var second = await h.StartMunitAsync("munit-b");

        // What a Regulator's reassignment writes when munit-a's heartbeat expires.
        Assert.True(
            await h
                .Store.CreateTransaction()
                .SetRemove(MunitKeys.Stations("munit-a"), stationId)
                .SetAdd(MunitKeys.Stations("munit-b"), stationId)
                .HashSet(MunitKeys.Station(stationId), StationFields.Munit, "munit-b")
                .ExecuteAsync()
        );

        await pub.SendAsync(new { action = "Offer", sdp = "v=0\r\nafter-move" });
        await pub.NextAsync("Answer");
        await viewer.SendAsync(new { action = "Watch", publisherId = pub.ConnectionId });
        await viewer.NextAsync("WatchAck");
        Assert.Contains(second.Requests, r => r.Op == MediaOps.Publish && r.StationId == stationId);
        Assert.Contains(second.Requests, r => r.Op == MediaOps.Watch && r.PeerId == viewer.ConnectionId);
        Assert.DoesNotContain(first.Requests, r => r.Op == MediaOps.Publish);

        await pub.SendAsync(new { action = "Leave" });
        await pub.NextAsync("LeaveAck");
        await Eventually(() => second.Unassigns.Any(u => u.StationId == stationId), "munit-b got the Unassign");
        Assert.Empty(first.Unassigns);
        Assert.False(await h.Store.SetContainsAsync(MunitKeys.Stations("munit-b"), stationId));
        Assert.False(await h.Store.ExistsAsync(MunitKeys.Station(stationId)));
    }

    internal static Task Eventually(Func<bool> condition, string because) =>
        MobZ.TestKit.Eventually.WaitUntilAsync(condition, TimeSpan.FromSeconds(10), because);
}
