using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MobZ.Access;
using MobZ.Contracts;
using MobZ.Signaling.Rooms;
using MobZ.Signaling.Rooms.Media;
using MobZ.Signaling.Rooms.State;
using MobZ.Signaling.Tests.Harness;
using MobZ.State;
using MobZ.TestKit.Redis;
using static MobZ.Signaling.Tests.Rooms.M2mRoomTests;

namespace MobZ.Signaling.Tests.Rooms;

/// <summary>
/// Members hear the publisher list in JoinAck and PublishListChangeAck, sent by whichever handler made a change and
/// along paths that can reorder them; the room's list version, bumped with every change and read with the list, is
/// how a member keeps the newest list rather than the last one to arrive.
/// </summary>
public sealed class PublisherListVersionTests(RedisServer redis) : IClassFixture<RedisServer>
{
    public static TheoryData<string> StoreBackends =>
        new() { Backends.InProcess, Backends.Redis, Backends.RedisCluster };

    [Theory]
    [MemberData(nameof(StoreBackends))]
    public async Task Every_change_to_the_publishers_or_the_owner_bumps_the_version_read_with_the_list(string backend)
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        var store = state.Store;
        var rooms = new RoomRepository(store, Options.Create(new RoomOptions()), TimeProvider.System);
        await store.SetStringAsync(MunitKeys.Alive("m1"), "1");
        await store.SortedSetAddAsync(MunitKeys.Registry, "m1", 0);
        Task JoinAsync(string id, string role, AccessGrant grants = AccessGrant.Join) =>
            rooms.JoinAsync(id, "v", RoomKind.M2m, role, new ParticipantEntry(), grants);
        var steps = new List<(string Step, PublisherList List)>();
        async Task<PublisherList> ReadAsync(string step)
        {
            var list = await rooms.GetPublisherListAsync("v") ?? throw new InvalidOperationException("no room");
            steps.Add((step, list));
            return list;
        }

        Assert.Null(await rooms.GetPublisherListAsync("v"));
        await JoinAsync("owner", ParticipantTypes.Publisher, AccessGrant.Join | AccessGrant.Admin);
        var first = await ReadAsync("an admin publisher joined and owns the room");
        Assert.Equal("owner", first.OwnerId);
        Assert.Equal(["owner"], Ids(first));
        await JoinAsync("viewer", ParticipantTypes.Viewer);
        Assert.Equal(first.Version, (await rooms.GetPublisherListAsync("v"))!.Version);
        await rooms.UpdateMediaAsync("v", ParticipantTypes.Viewer, "viewer", audio: false, video: null);
        Assert.Equal(first.Version, (await rooms.GetPublisherListAsync("v"))!.Version);

        await JoinAsync("p2", ParticipantTypes.Publisher);
        await ReadAsync("a second publisher joined");
        Assert.True(await rooms.MarkLiveAsync("v", "p2"));
        await ReadAsync("it went live");
        Assert.False(await rooms.MarkLiveAsync("v", "p2"));
        Assert.Equal(steps[^1].List.Version, (await rooms.GetPublisherListAsync("v"))!.Version);
        await rooms.UpdateMediaAsync("v", ParticipantTypes.Publisher, "p2", audio: false, video: null);
        await ReadAsync("it muted");
        Assert.True(await rooms.AddPublishRequestAsync("v", "viewer", "r1"));
        await rooms.PromoteAsync("v", RoomKind.M2m, "viewer");
        Assert.Equal(["owner", "p2", "viewer"], Ids(await ReadAsync("the viewer's PublishRequest was accepted")));
        await rooms.LeaveAsync("p2");
        Assert.Equal(["owner", "viewer"], Ids(await ReadAsync("a publisher left (or was kicked)")));
        await rooms.LeaveAsync("owner");
        var last = await ReadAsync("the owner left");
        Assert.Equal("", last.OwnerId);
        Assert.Equal(["viewer"], Ids(last));

        for (int i = 1; i < steps.Count; i++)
        {
            Assert.True(
                steps[i].List.Version > steps[i - 1].List.Version,
                $"{steps[i].Step}: version {steps[i].List.Version} after {steps[i - 1].List.Version}"
            );
        }
    }

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task Publishers_joining_at_once_leave_every_member_holding_the_final_list_by_version(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        await h.StartMunitAsync("munit-a");
        var viewers = new List<TestClient>();
        for (int i = 0; i < 4; i++)
        {
            var viewer = await h.ConnectAsync();
            await viewer.JoinAsync("storm", "m2m", "viewer");
            viewers.Add(viewer);
        }
        var publishers = new List<TestClient>();
        for (int i = 0; i < 6; i++)
            publishers.Add(await h.ConnectAsync());

        // All at once: their announcements race each other to every member.
        await Task.WhenAll(publishers.Select(p => p.JoinAsync("storm", "m2m", "publisher")));
        var final = await h.Services.GetRequiredService<RoomRepository>().GetPublisherListAsync("storm");
        Assert.NotNull(final);
        Assert.Equal(6, final.Publishers.Count);

        foreach (var member in viewers.Concat(publishers))
        {
            await Eventually(
                () => Newest(member).Version == final.Version,
                $"{member.ConnectionId} heard the list of version {final.Version}"
            );
            var (_, names) = Newest(member);
            // A publisher's own lists leave it out (JoinAck) or may (its own "joined" is not sent to it).
            names.Remove(member.ConnectionId);
            var expected = Ids(final).Where(id => id != member.ConnectionId).ToHashSet();
            Assert.True(
                names.SetEquals(expected),
                $"{member.ConnectionId}: [{string.Join(", ", names)}], store [{string.Join(", ", expected)}]"
            );
        }
    }

    [Theory]
    [MemberData(nameof(Backends.DirectOnly), MemberType = typeof(Backends))]
    public async Task JoinAck_and_the_notices_after_it_carry_increasing_versions(string backend)
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis);
        await h.StartMunitAsync("munit-a");
        var viewer = await h.ConnectAsync();
        long joined = (await viewer.JoinAsync("order", "m2m", "viewer")).GetProperty("version").GetInt64();
        var publisher = await h.ConnectAsync();
        var ack = await publisher.JoinAsync("order", "m2m", "publisher");
        long heard = (await viewer.NextAsync("PublishListChangeAck")).GetProperty("version").GetInt64();
        Assert.True(heard > joined, $"\"joined\" at {heard}, the viewer's JoinAck at {joined}");
        Assert.Equal(heard, ack.GetProperty("version").GetInt64());

        await publisher.SendAsync(new { action = "Leave" });
        var left = await viewer.NextAsync("PublishListChangeAck");
        Assert.True(left.GetProperty("version").GetInt64() > heard, "a leave comes after the join it undoes");
        Assert.Equal(0, left.GetProperty("publishers").GetArrayLength());
    }

    /// <summary>The list's connection ids in ordinal order (the list itself is in order of joining).</summary>
    private static string[] Ids(PublisherList list) =>
        [.. list.Publishers.Select(p => p.ConnectionId).Order(StringComparer.Ordinal)];

    /// <summary>The list a client keeps: of every JoinAck and PublishListChangeAck it heard, the highest
    /// version's.</summary>
    private static (long Version, HashSet<string> Names) Newest(TestClient client)
    {
        var lists = client
            .Received.Where(m => TestClient.Action(m) is "JoinAck" or "PublishListChangeAck")
            .Select(m =>
                (
                    Version: m.GetProperty("version").GetInt64(),
                    Names: m.GetProperty("publishers")
                        .EnumerateArray()
                        .Select(p => p.GetProperty("participantId").GetString()!)
                        .ToHashSet()
                )
            )
            .ToList();
        return lists.Count == 0 ? (-1, []) : lists.MaxBy(l => l.Version);
    }
}
