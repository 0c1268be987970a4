using MobZ.Munit.Control;

namespace MobZ.Munit.Tap;

public enum TapTrack
{
    Video,
    Audio,
}

/// <summary>
/// A station's media as a viewer would get it, for something other than a viewer (the HLS packager of a
/// p2m station): decrypted RTP of the audio and of the best video layer flowing, with numbering that stays
/// continuous across layer switches and publisher restarts, plus sender reports in that numbering. Called
/// on the media thread: implementations copy what they keep and return quickly.
/// </summary>
public interface IStationTap : IDisposable
{
    void OnRtp(TapTrack track, ReadOnlySpan<byte> packet);

    void OnSenderReport(TapTrack track, ulong ntpTimestamp, uint rtpTimestamp);
}

/// <summary>Creates the tap of a station that asks for one (<see cref="StationDescriptor.Hls"/>). The host provides
/// it.</summary>
public interface IStationTapFactory
{
    /// <param name="requestKeyFrame">asks the publisher for a keyframe (deduplicated and throttled by the
    /// Munit).</param>
    /// <returns>null when this station gets no tap.</returns>
    IStationTap? Create(StationDescriptor station, Action requestKeyFrame);
}
