namespace MobZ.Hls;

/// <summary>
/// Packaging settings (part and segment lengths, the playlist window); bind from configuration section "Hls". Where
/// the packaged stream is stored and who may play it are <c>HlsServingOptions</c> in MobZ.Hls.Serving.
/// </summary>
public sealed class HlsOptions
{
    /// <summary>Upper bound of a part (EXT-X-PART-INF PART-TARGET). Parts aim to fill it.</summary>
    public TimeSpan PartTarget { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Segments are cut on the first keyframe at or after this length; keyframes are asked for at this
    /// cadence.</summary>
    public TimeSpan SegmentTarget { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How many complete segments the media playlist lists.</summary>
    public int PlaylistSegments { get; set; } = 15;

    /// <summary>Least time between two <see cref="HlsPackager.KeyframeNeeded"/> events.</summary>
    public TimeSpan KeyframeRequestInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How far audio may trail the video before the gap is filled with Opus silence, so a muted or absent
    /// microphone never stalls a player that waits for both tracks.
    /// </summary>
    public TimeSpan AudioLagAllowance { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// EXT-X-TARGETDURATION in whole seconds: half as long again as the segment target (rounded up), so a
    /// keyframe that comes a little late still fits; a segment is cut without a keyframe rather than grow
    /// past it. It never changes during a stream.
    /// </summary>
    public int TargetDurationSeconds => Math.Max(1, (int)Math.Ceiling(SegmentTarget.TotalSeconds * 1.5 - 1e-9));

    /// <summary>How long segment, part and init data live in the store (the playlist window plus a margin).</summary>
    public TimeSpan DataTimeToLive =>
        TimeSpan.FromSeconds((PlaylistSegments + 4) * TargetDurationSeconds) + TimeSpan.FromSeconds(30);

    /// <summary>Throws when a setting is out of range; the packager and the serving registration both call
    /// it.</summary>
    public void Validate()
    {
        if (PartTarget < TimeSpan.FromMilliseconds(50) || PartTarget > TimeSpan.FromSeconds(2))
        {
            throw new ArgumentOutOfRangeException(nameof(PartTarget), PartTarget, "between 50 ms and 2 s");
        }

        if (SegmentTarget < PartTarget * 2 || SegmentTarget > TimeSpan.FromSeconds(20))
        {
            throw new ArgumentOutOfRangeException(
                nameof(SegmentTarget),
                SegmentTarget,
                "at least two parts and at most 20 s"
            );
        }

        if (PlaylistSegments < 3)
        {
            throw new ArgumentOutOfRangeException(nameof(PlaylistSegments), PlaylistSegments, "at least 3");
        }
    }
}
