namespace MobZ.Hls.Codecs;

/// <summary>Reads the duration of an Opus packet from its TOC byte (RFC 6716 §3.1), in 48 kHz samples.</summary>
internal static class OpusPacket
{
    public const int SampleRate = 48000;
    public const int MaxDuration = 5760; // 120 ms

    /// <summary>
    /// A 20 ms CELT fullband mono frame that decodes to silence (TOC 0xF8, one frame, two bytes of range
    /// coder end state). Used to keep the audio track gapless when the publisher sends none (DTX, muted).
    /// </summary>
    public static ReadOnlySpan<byte> Silence20Ms => [0xF8, 0xFF, 0xFE];

    public const int SilenceDuration = 960;

    /// <returns>false for an empty packet, a code-3 packet without its frame count, or one over 120 ms.</returns>
    public static bool TryGetDuration(ReadOnlySpan<byte> packet, out int samples)
    {
        samples = 0;
        if (packet.IsEmpty)
        {
            return false;
        }

        byte toc = packet[0];
        int frameSamples = FrameSamples(toc >> 3);
        int frames = (toc & 0x03) switch
        {
            0 => 1,
            1 or 2 => 2,
            _ => packet.Length >= 2 ? packet[1] & 0x3F : 0,
        };

        samples = frames * frameSamples;
        return frames > 0 && samples <= MaxDuration;
    }

    private static int FrameSamples(int config) =>
        config switch
        {
            < 12 => (config & 3) switch
            {
                0 => 480,
                1 => 960,
                2 => 1920,
                _ => 2880,
            },
            < 16 => (config & 1) == 0 ? 480 : 960,
            _ => (config & 3) switch
            {
                0 => 120,
                1 => 240,
                2 => 480,
                _ => 960,
            },
        };
}
