using System.Globalization;
using MobZ.Contracts;
using MobZ.Munit.Control;
using MobZ.Munit.Workers;
using MobZ.State;

namespace MobZ.Regulator;

/// <summary>Writes and removes a Munit's entry in the registry (<see cref="MunitKeys.Registry"/>, Info,
/// Alive).</summary>
internal static class RegistrationWriter
{
    /// <summary>
    /// The registry score: the busier of CPU and subscriber share of capacity, so signaling's "lowest score"
    /// is "most headroom" whichever runs out first.
    /// </summary>
    public static double Score(MunitLoad load, int capacity) =>
        Math.Round(Math.Max(load.CpuFraction, capacity <= 0 ? 1.0 : (double)load.Subscribers / capacity), 4);

    public static MunitRegistration Describe(
        string munitId,
        string address,
        int port,
        int capacity,
        MunitLoad load,
        bool draining
    ) =>
        new(
            munitId,
            address,
            port,
            capacity,
            Score(load, capacity),
            draining,
            load.Stations,
            load.Subscribers,
            DescribeWorkers(load.Workers)
        );

    /// <summary>The <see cref="MunitInfoFields.Workers"/> text: what each media worker carries.</summary>
    public static string DescribeWorkers(IReadOnlyList<WorkerLoad>? workers) =>
        workers is null
            ? ""
            : string.Join(
                ',',
                workers.Select(w =>
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"{w.Worker}:{w.Port}:{Math.Round(w.CpuFraction, 3)}:{w.Stations}:{w.Peers}"
                    )
                )
            );

    /// <summary>
    /// Writes the registration under <paramref name="epoch"/>. With <paramref name="renew"/> the write is a lease
    /// renewal: it happens only while the Info hash still carries that epoch, and false means the lease is lost
    /// (the Munit was declared dead and its stations moved, or the store lost its data).
    /// </summary>
    public static Task<bool> WriteAsync(
        IStateStore store,
        MunitRegistration r,
        TimeSpan aliveTtl,
        string epoch,
        bool renew
    )
    {
        string info = MunitKeys.Info(r.MunitId);
        var tx = store.CreateTransaction();
        if (renew)
            tx.When(new StateCondition.HashEqual(info, MunitInfoFields.Epoch, epoch));
        return tx.HashSet(info, MunitInfoFields.Epoch, epoch)
            .HashSet(info, MunitInfoFields.MunitId, r.MunitId)
            .HashSet(info, MunitInfoFields.Address, r.Address)
            .HashSet(info, MunitInfoFields.Port, r.Port.ToString(CultureInfo.InvariantCulture))
            .HashSet(info, MunitInfoFields.Capacity, r.Capacity.ToString(CultureInfo.InvariantCulture))
            .HashSet(info, MunitInfoFields.Load, r.Load.ToString("R", CultureInfo.InvariantCulture))
            .HashSet(info, MunitInfoFields.Draining, r.Draining ? "true" : "false")
            .HashSet(info, MunitInfoFields.Stations, r.Stations.ToString(CultureInfo.InvariantCulture))
            .HashSet(info, MunitInfoFields.Subscribers, r.Subscribers.ToString(CultureInfo.InvariantCulture))
            .HashSet(info, MunitInfoFields.Workers, r.Workers)
            .SortedSetAdd(MunitKeys.Registry, r.MunitId, r.Load)
            .SetString(MunitKeys.Alive(r.MunitId), "1", aliveTtl)
            .ExecuteAsync();
    }

    /// <summary>A new lease epoch, unique across restarts and hosts.</summary>
    public static string NewEpoch() => Guid.NewGuid().ToString("N");
}
