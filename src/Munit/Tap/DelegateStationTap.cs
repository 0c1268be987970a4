using MobZ.Munit.Control;

namespace MobZ.Munit.Tap;

public delegate void TapRtpHandler(TapTrack track, ReadOnlySpan<byte> packet);

/// <summary>A tap made of delegates, so a host can wire a consumer (the HLS packager) in one expression.</summary>
public sealed class DelegateStationTap(TapRtpHandler onRtp, Action<TapTrack, ulong, uint> onSenderReport, Action? onDispose = null) : IStationTap
{
    public void OnRtp(TapTrack track, ReadOnlySpan<byte> packet) => onRtp(track, packet);

    public void OnSenderReport(TapTrack track, ulong ntpTimestamp, uint rtpTimestamp) => onSenderReport(track, ntpTimestamp, rtpTimestamp);

    public void Dispose() => onDispose?.Invoke();
}

/// <summary>A tap factory made of a delegate (see <see cref="IStationTapFactory.Create"/>).</summary>
public sealed class DelegateStationTapFactory(Func<StationDescriptor, Action, IStationTap?> create) : IStationTapFactory
{
    public IStationTap? Create(StationDescriptor station, Action requestKeyFrame) => create(station, requestKeyFrame);
}
