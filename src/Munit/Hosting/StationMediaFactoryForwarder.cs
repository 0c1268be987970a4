using MobZ.Munit.Control;
using MobZ.Munit.WebRtc;

namespace MobZ.Munit.Hosting;

/// <summary>Hands out <see cref="WebRtcMedia"/> as <see cref="IStationMediaFactory"/> without a second disposable
/// registration.</summary>
internal sealed class StationMediaFactoryForwarder(WebRtcMedia media) : IStationMediaFactory
{
    public IStationMedia Create(StationDescriptor station) => media.Create(station);
}
