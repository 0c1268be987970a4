namespace MobZ.Hls;

/// <summary>Which RTP stream of the publisher a packet belongs to.</summary>
public enum HlsTrack
{
    /// <summary>H.264 (RFC 6184, packetization-mode 1), 90 kHz.</summary>
    Video,

    /// <summary>Opus (RFC 7587), 48 kHz.</summary>
    Audio,
}
