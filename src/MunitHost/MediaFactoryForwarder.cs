using MobZ.Munit.Control;
using MobZ.Munit.WebRtc;

namespace MobZ.MunitHost;

/// <summary>
/// <c>AddMunit</c> registers <see cref="WebRtcMedia"/> twice (as itself and, through a factory, as
/// <see cref="IStationMediaFactory"/>), so the container would dispose the one instance twice, and the media
/// engine's dispose is not idempotent. Registering the interface first as this non-disposable forwarder leaves
/// the container one owner of the media. Remove once the registration or the dispose is fixed upstream.
/// </summary>
internal sealed class MediaFactoryForwarder(WebRtcMedia media) : IStationMediaFactory
{
    public IStationMedia Create(StationDescriptor station) => media.Create(station);
}
