using MobZ.Contracts;
using MobZ.Munit.Control;
using MobZ.State;

namespace MobZ.Regulator;

/// <summary>Reads and restores the <see cref="MunitKeys.Station"/> hash that signaling writes for each
/// station.</summary>
internal static class StationIntent
{
    public static async Task<(string? Munit, StationDescriptor? Station)> ReadAsync(IStateStore store, string stationId)
    {
        var fields = await store.HashGetAllAsync(MunitKeys.Station(stationId)).ConfigureAwait(false);
        if (fields.Count == 0)
            return (null, null);
        fields.TryGetValue(StationFields.Munit, out var munit);
        var station = new StationDescriptor(
            stationId,
            fields.GetValueOrDefault(StationFields.Room) ?? "",
            fields.GetValueOrDefault(StationFields.Publisher) ?? "",
            fields.GetValueOrDefault(StationFields.RoomKind) ?? "",
            string.Equals(fields.GetValueOrDefault(StationFields.Hls), "true", StringComparison.OrdinalIgnoreCase)
        );
        return (munit, station);
    }

    public static AssignSignal ToAssign(StationDescriptor s) =>
        new(s.StationId, s.RoomId, s.PublisherId, s.RoomKind, s.Hls);

    public static StationDescriptor FromAssign(AssignSignal a) =>
        new(a.StationId, a.RoomId, a.PublisherId, a.RoomKind, a.Hls);

    /// <summary>
    /// Removes a station from this Munit's set, and its hash while that still names this Munit and this publisher
    /// (a hash that names another Munit or publisher belongs to someone else now and is left alone).
    /// </summary>
    public static async Task ForgetAsync(IStateStore store, string munitId, StationDescriptor s)
    {
        string key = MunitKeys.Station(s.StationId);
        var (owner, current) = await ReadAsync(store, s.StationId).ConfigureAwait(false);
        var tx = store.CreateTransaction().SetRemove(MunitKeys.Stations(munitId), s.StationId);
        if (owner == munitId && current?.PublisherId == s.PublisherId)
        {
            tx.When(new StateCondition.HashEqual(key, StationFields.Munit, munitId))
                .When(new StateCondition.HashEqual(key, StationFields.Publisher, s.PublisherId))
                .Delete(key);
        }
        await tx.ExecuteAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Writes a station's intent back after the store lost it (a Redis restart without persistence), only
    /// if nobody wrote anything for that station in the meantime.
    /// </summary>
    public static Task<bool> RestoreAsync(IStateStore store, string munitId, StationDescriptor s)
    {
        string key = MunitKeys.Station(s.StationId);
        return store
            .CreateTransaction()
            .When(new StateCondition.KeyNotExists(key))
            .HashSet(key, StationFields.Munit, munitId)
            .HashSet(key, StationFields.Room, s.RoomId)
            .HashSet(key, StationFields.Publisher, s.PublisherId)
            .HashSet(key, StationFields.RoomKind, s.RoomKind)
            .HashSet(key, StationFields.Hls, s.Hls ? "true" : "false")
            .SetAdd(MunitKeys.Stations(munitId), s.StationId)
            .ExecuteAsync();
    }
}
