using Microsoft.Extensions.Options;
using MobZ.Access;
using MobZ.Contracts;
using MobZ.Signaling.Rooms;
using MobZ.Signaling.Rooms.Media;
using MobZ.Signaling.Rooms.Protocol;
using MobZ.Signaling.Rooms.State;
using MobZ.Signaling.Tests.Harness;
using MobZ.TestKit.Redis;

namespace MobZ.Signaling.Tests.Rooms;

/// <summary>
/// A join is three steps (claim, slot, check) and a leave three more, so a connection whose socket closes while it
/// joins runs both at once: whatever the interleaving, the store must end with the connection either fully in the
/// room or not at all, and a room whose members all left must be gone.
/// </summary>
public sealed class JoinLeaveRaceTests(RedisServer redis) : IClassFixture<RedisServer>
{
    public static TheoryData<string> StoreBackends =>
        new() { Backends.InProcess, Backends.Redis, Backends.RedisCluster };

    [Theory]
    [MemberData(nameof(StoreBackends))]
    public async Task A_leave_racing_its_own_join_leaves_the_connection_fully_in_or_fully_out(string backend)
    {
        await using var state = await Backends.CreateAsync(backend, redis);
        var rooms = new RoomRepository(state.Store, Options.Create(new RoomOptions()), TimeProvider.System);
        const int Connections = 120;
        var ids = Enumerable.Range(0, Connections).Select(i => $"c{i}").ToArray();

        // Every connection joins while its own leave runs beside it, started a little later each time.
        await Task.WhenAll(
            ids.Select(
                async (id, i) =>
                {
                    var join = JoinAsync(rooms, id, admin: i % 3 == 0);
                    for (int spin = 0; spin < i % 7; spin++)
                        await Task.Yield();
                    var leave = rooms.LeaveAsync(id);
                    await Task.WhenAll(join, leave);
                }
            )
        );

        var viewers = await state.Store.HashGetAllAsync(RoomKeys.Viewers("race"));
        foreach (var id in ids)
        {
            var claimed = await state.Store.HashGetAsync(RoomKeys.Connection(id), RoomKeys.RoomField);
            Assert.True(
                viewers.ContainsKey(id) == (claimed is not null),
                $"{id}: slot {viewers.ContainsKey(id)}, claim {claimed ?? "none"}"
            );
        }

        var owner = await state.Store.HashGetAsync(RoomKeys.Room("race"), RoomKeys.OwnerField);
        Assert.True(owner is null || viewers.ContainsKey(owner), $"owner {owner} is a member");

        // Those still in leave now: the last one out deletes the room.
        foreach (var id in viewers.Keys)
            Assert.NotNull(await rooms.LeaveAsync(id));
        foreach (var key in new[] { RoomKeys.Room("race"), RoomKeys.Viewers("race"), RoomKeys.PublishRequests("race") })
            Assert.False(await state.Store.ExistsAsync(key), $"{key} is gone with the last member");
        foreach (var id in ids)
            Assert.False(await state.Store.ExistsAsync(RoomKeys.Connection(id)), $"{id}'s claim is gone");
    }

    private static async Task JoinAsync(RoomRepository rooms, string id, bool admin)
    {
        try
        {
            await rooms.JoinAsync(
                id,
                "race",
                RoomKind.M2m,
                ParticipantTypes.Viewer,
                new ParticipantEntry(),
                admin ? AccessGrant.Join | AccessGrant.Subscribe | AccessGrant.Admin : AccessGrant.Join
            );
        }
        catch (SignalException e) when (e.Code == ErrorCodes.NotInRoom)
        {
            // The leave came first: the join undid its slot and says so.
        }
    }
}
