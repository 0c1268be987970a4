namespace MobZ.Rtc.Codecs;

public enum MediaCodec
{
    Unknown,
    Opus,
    Vp8,
    H264,
}
