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
/// on the media thread: implementations copy what they keep and return quickly. A tap that
/// <see cref="WantsLayers"/> gets the video of a simulcast publisher as every layer that flows instead, each with its
/// own SSRC, continuous numbering and sender reports (<see cref="OnLayerRtp"/>), to package one rendition per layer.
/// </summary>
public interface IStationTap : IDisposable
{
    /// <summary>Simulcast video comes layer by layer (<see cref="OnLayerRtp"/>) rather than as the best
    /// layer.</summary>
    bool WantsLayers { get; }

    void OnRtp(TapTrack track, ReadOnlySpan<byte> packet);

    void OnSenderReport(TapTrack track, ulong ntpTimestamp, uint rtpTimestamp);

    /// <summary>A video packet of simulcast layer <paramref name="layer"/> (0 = lowest), for a tap that
    /// <see cref="WantsLayers"/>.</summary>
    void OnLayerRtp(int layer, ReadOnlySpan<byte> packet);

    void OnLayerSenderReport(int layer, ulong ntpTimestamp, uint rtpTimestamp);
}

/// <summary>Creates the tap of a station that asks for one (<see cref="StationDescriptor.Hls"/>). The host provides
/// it.</summary>
public interface IStationTapFactory
{
    /// <param name="requestKeyFrame">asks the publisher for a keyframe, on every simulcast layer (deduplicated and
    /// throttled by the Munit per layer).</param>
    /// <returns>null when this station gets no tap.</returns>
    IStationTap? Create(StationDescriptor station, Action requestKeyFrame);
}
