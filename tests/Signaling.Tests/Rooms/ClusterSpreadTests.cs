using Microsoft.Extensions.Options;
using MobZ.Access;
using MobZ.Contracts;
using MobZ.Signaling.Rooms;
using MobZ.Signaling.Rooms.State;
using MobZ.TestKit.Redis;

namespace MobZ.Signaling.Tests.Rooms;

/// <summary>
/// On a Redis Cluster under a key prefix with no hash tag (docs/state.md, "Redis Cluster"), every step of a join and
/// a leave stays in one slot, and the rooms and connections land on every master instead of all on one: a room's
/// keys carry its id as their tag, a connection's keys and its heartbeat set the tag of one of 16 shards.
/// </summary>
public sealed class ClusterSpreadTests
{
    private const int Rooms = 20;
    private const int PerRoom = 3;

    [Fact]
    public async Task Rooms_and_connections_spread_over_every_master_and_leave_nothing_behind()
    {
        var cluster = await RedisCluster.SharedAsync();
        string prefix = RedisCluster.NewKeyPrefix();
        await using var state = await cluster.CreateBackendAsync(prefix);
        var rooms = new RoomRepository(state.Store, Options.Create(new RoomOptions()), TimeProvider.System);

        var members = Enumerable
            .Range(0, Rooms * PerRoom)
            .Select(i => (Connection: $"c{i}", Room: $"room-{i % Rooms}"))
            .ToArray();
        await Task.WhenAll(
            members.Select(m =>
                rooms.JoinAsync(
                    m.Connection,
                    m.Room,
                    RoomKind.M2m,
                    ParticipantTypes.Viewer,
                    new ParticipantEntry(),
                    AccessGrant.Join | AccessGrant.Subscribe
                )
            )
        );

        foreach (var node in cluster.Nodes)
        {
            Assert.True(await CountAsync(node, prefix + "room:*") > 0, $"master {node.Configuration} holds rooms");
            Assert.True(
                await CountAsync(node, prefix + "conn:*") > 0,
                $"master {node.Configuration} holds connections"
            );
            Assert.True(
                await CountAsync(node, prefix + "rooms:heartbeats:*") > 0,
                $"master {node.Configuration} holds heartbeat shards"
            );
        }
        var stale = await rooms.GetStaleConnectionsAsync(DateTimeOffset.UtcNow.AddMinutes(1), Rooms * PerRoom);
        Assert.Equal(
            members.Select(m => m.Connection).Order(StringComparer.Ordinal),
            stale.Select(s => s.Member).Order(StringComparer.Ordinal)
        );

        foreach (var (connection, _) in members)
            Assert.NotNull(await rooms.LeaveAsync(connection));
        foreach (var node in cluster.Nodes)
            Assert.Equal(0, await CountAsync(node, prefix + "*"));
    }

    /// <summary>Keys matching <paramref name="pattern"/> on one master (KEYS is fine on a test cluster).</summary>
    private static async Task<int> CountAsync(RedisServer node, string pattern) =>
        int.Parse(
            await node.CommandAsync("EVAL", "return #redis.call('KEYS', ARGV[1])", "0", pattern) ?? "0",
            System.Globalization.CultureInfo.InvariantCulture
        );
}
