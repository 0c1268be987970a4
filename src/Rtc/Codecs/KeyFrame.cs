namespace MobZ.Rtc.Codecs;

public static class KeyFrame
{
    /// <summary>Does this RTP payload start a key frame of <paramref name="codec"/>? (Audio never does.)</summary>
    public static bool IsStart(MediaCodec codec, ReadOnlySpan<byte> payload) =>
        codec switch
        {
            MediaCodec.Vp8 => Vp8PayloadDescriptor.TryRead(payload, out var d) && d.IsKeyFrameStart,
            MediaCodec.H264 => H264Payload.IsKeyFrameStart(payload),
            _ => false,
        };

    public static MediaCodec FromName(string encodingName) =>
        encodingName.ToUpperInvariant() switch
        {
            "OPUS" => MediaCodec.Opus,
            "VP8" => MediaCodec.Vp8,
            "H264" => MediaCodec.H264,
            _ => MediaCodec.Unknown,
        };
}
