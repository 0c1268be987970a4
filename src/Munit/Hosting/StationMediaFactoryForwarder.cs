using MobZ.Munit.Control;
using MobZ.Munit.WebRtc;
using MobZ.Munit.Workers;

namespace MobZ.Munit.Hosting;

/// <summary>Hands out <see cref="WebRtcMedia"/> as <see cref="IStationMediaFactory"/> without a second disposable
/// registration; everything the Munit asks of its media beside creating stations (lost publishers, worker load) is
/// passed through, since <see cref="MunitServer"/> finds those by the interfaces it is given.</summary>
internal sealed class StationMediaFactoryForwarder(WebRtcMedia media)
    : IStationMediaFactory,
        IPeerLossSource,
        IWorkerLoadSource
{
    public IStationMedia Create(StationDescriptor station) => media.Create(station);

    public event Action<PeerLost>? PeerLost
    {
        add => media.PeerLost += value;
        remove => media.PeerLost -= value;
    }

    public IReadOnlyList<WorkerLoad> GetWorkerLoads() => media.GetWorkerLoads();
}
