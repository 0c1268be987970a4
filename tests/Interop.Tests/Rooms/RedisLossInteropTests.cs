using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MobZ.Contracts;
using MobZ.Munit.Control;
using MobZ.Signaling.Rooms.State;
using MobZ.State;
using MobZ.TestKit;
using Xunit.Abstractions;

namespace MobZ.Interop.Tests.Rooms;

/// <summary>
/// Redis loses every key of the stack (a restart without persistence) under a live three-party call in Chromium.
/// Nobody touches the pages: each is told STATE_LOST on its next Heartbeat, reconnects with a fresh token, joins
/// again and media flows again — one owner, one station per publisher, no orphan station on the Munit.
/// </summary>
[Trait("Category", "Interop")]
[Collection(StackCollection.Name)]
public sealed class RedisLossInteropTests(StackFixture stack, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan MediaTimeout = TimeSpan.FromSeconds(60);

    public Task InitializeAsync() => stack.ClosePagesAsync();

    public Task DisposeAsync() => stack.ClosePagesAsync();

    [Fact]
    public async Task A_call_whose_Redis_lost_its_data_rejoins_by_itself_with_one_owner_and_one_station_per_publisher()
    {
        var store = stack.Stack.Services.GetRequiredService<IStateStore>();
        var munit = stack.Stack.Services.GetRequiredService<IMunit>();
        string munitId = stack.Stack.Services.GetRequiredService<MobZ.Regulator.Regulator>().MunitId;
        var room = "lost-" + Guid.NewGuid().ToString("N")[..8];
        var alice = await RoomPage.OpenAsync(stack, room, "publisher", simulcast: false);
        var bob = await RoomPage.OpenAsync(stack, room, "publisher", simulcast: false);
        var viewer = await RoomPage.OpenAsync(stack, room, "viewer", simulcast: false);
        var (aliceStation, bobStation) = await StationsAsync(alice, bob, null, null);
        await AllDecodeAsync(Watchers(alice, bob, viewer, aliceStation, bobStation), "before the loss");

        // Redis restarted without persistence: every key of this stack is gone (the server may be shared, so only
        // ours).
        var stopwatch = Stopwatch.StartNew();
        string deleted = await stack.Redis.CommandAsync(
            "EVAL",
            "local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) n = n + 1 end return n",
            "0",
            stack.RedisKeyPrefix + "*"
        ) ?? "";
        output.WriteLine($"deleted {deleted} keys");

        foreach (var (who, page) in new[] { ("alice", alice), ("bob", bob), ("the viewer", viewer) })
        {
            await Eventually.WaitUntilAsync(
                async () => await page.Page.EvaluateAsync<int>("() => window.mobz.state.rejoins ?? 0") > 0,
                MediaTimeout,
                $"{who} was told to rejoin"
            );
            output.WriteLine($"{who} rejoining by {stopwatch.Elapsed.TotalSeconds:F1} s");
        }
        var (aliceAgain, bobAgain) = await StationsAsync(alice, bob, aliceStation, bobStation);
        await AllDecodeAsync(Watchers(alice, bob, viewer, aliceAgain, bobAgain), "after the rejoin");
        output.WriteLine(
            $"media back everywhere {stopwatch.Elapsed.TotalSeconds:F1} s after the loss (clients heartbeat every 10 s)"
        );

        // The store after recovery: the rejoined members only, one owner among them, one station per publisher.
        string aliceId = (await alice.ParticipantIdAsync())!,
            bobId = (await bob.ParticipantIdAsync())!,
            viewerId = (await viewer.ParticipantIdAsync())!;
        Assert.Equal(
            new[] { aliceId, bobId }.Order(),
            (await store.HashGetAllAsync(RoomKeys.Publishers(room))).Keys.Order()
        );
        Assert.Equal([viewerId], (await store.HashGetAllAsync(RoomKeys.Viewers(room))).Keys);
        Assert.Contains(await store.HashGetAsync(RoomKeys.Room(room), RoomKeys.OwnerField), new[] { aliceId, bobId });
        Assert.Equal(aliceId, await store.HashGetAsync(MunitKeys.Station(aliceAgain), StationFields.Publisher));
        Assert.Equal(bobId, await store.HashGetAsync(MunitKeys.Station(bobAgain), StationFields.Publisher));
        // The stations of the lost connections are closed, on the Munit and in the store (the Regulator had restored
        // them).
        await Eventually.WaitUntilAsync(
            () => !munit.HasStation(aliceStation) && !munit.HasStation(bobStation),
            MediaTimeout,
            "the Munit closed the lost connections' stations"
        );
        Assert.False(await store.ExistsAsync(MunitKeys.Station(aliceStation)));
        Assert.False(await store.ExistsAsync(MunitKeys.Station(bobStation)));
        var placed = await store.SetMembersAsync(MunitKeys.Stations(munitId));
        Assert.DoesNotContain(aliceStation, placed);
        Assert.DoesNotContain(bobStation, placed);
        Assert.Contains(aliceAgain, placed);
        Assert.Contains(bobAgain, placed);
        var roomStations = munit
            .StationIds.Select(munit.FindStationDescriptor)
            .Where(d => d?.RoomId == room)
            .Select(d => d!.StationId)
            .Order();
        Assert.Equal(new[] { aliceAgain, bobAgain }.Order(), roomStations);
        foreach (var publisher in new[] { alice, bob })
            Assert.Equal("connected", await publisher.PublishStateAsync());
    }

    private static (string, RoomPage, string[])[] Watchers(
        RoomPage alice,
        RoomPage bob,
        RoomPage viewer,
        string aliceStation,
        string bobStation
    ) =>
        [
            ("alice", alice, [bobStation]),
            ("bob", bob, [aliceStation]),
            ("the viewer", viewer, [aliceStation, bobStation]),
        ];

    /// <summary>Both publishers' stations, once they differ from the ones given (a rejoin makes new ones).</summary>
    private static async Task<(string, string)> StationsAsync(
        RoomPage alice,
        RoomPage bob,
        string? aliceBefore,
        string? bobBefore
    )
    {
        string? a = null,
            b = null;
        await Eventually.WaitUntilAsync(
            async () =>
            {
                a = await alice.StationIdAsync();
                b = await bob.StationIdAsync();
                return a is not null && b is not null && a != aliceBefore && b != bobBefore;
            },
            MediaTimeout,
            "both publishers have stations"
        );
        return (a!, b!);
    }

    private async Task AllDecodeAsync((string Who, RoomPage Page, string[] Stations)[] watchers, string when)
    {
        foreach (var (who, page, stations) in watchers)
        {
            try
            {
                await Eventually.WaitUntilAsync(
                    async () =>
                    {
                        var video = await page.VideoAsync();
                        return stations.All(s =>
                            video.TryGetValue(s, out var v) && v.FramesDecoded > 0 && v.ConnectionState == "connected"
                        );
                    },
                    MediaTimeout,
                    $"{who} decodes every other publisher {when}"
                );
            }
            catch (Xunit.Sdk.XunitException)
            {
                output.WriteLine($"{who} {when}: {await page.DescribeAsync()}");
                throw;
            }
        }
    }
}
