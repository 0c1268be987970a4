using MobZ.Munit.Control;
using MobZ.Munit.WebRtc;
using MobZ.Munit.Workers;

namespace MobZ.Munit.Hosting;

/// <summary>Hands out <see cref="WebRtcMedia"/> as <see cref="IStationMediaFactory"/> without a second disposable
/// registration.</summary>
internal sealed class StationMediaFactoryForwarder(WebRtcMedia media) : IStationMediaFactory, IWorkerLoadSource
{
    public IStationMedia Create(StationDescriptor station) => media.Create(station);

    public IReadOnlyList<WorkerLoad> GetWorkerLoads() => media.GetWorkerLoads();
}
