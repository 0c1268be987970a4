using System.Globalization;
using System.Text;

namespace MobZ.Interop.Tests.Live.PlayerMatrix;

/// <summary>
/// What one player made of one minute of the live stream: the figures the matrix judges.
/// <see cref="LongestPause"/> is, in a browser, the longest time the playhead stood still while the video was meant
/// to play; for a process client (GStreamer, ffmpeg) it is the longest step between the timestamps of two
/// consecutive decoded frames, i.e. the longest stretch of the timeline it had no picture for.
/// <see cref="GapsJumped"/> is what the player says it skipped (hls.js, Shaka, VHS), or for a process client the
/// number of timestamp steps over a second.
/// </summary>
public sealed record Viewing(
    string Player,
    string Round,
    IReadOnlyList<string> FatalErrors,
    IReadOnlyList<string> Errors,
    int GapsJumped,
    TimeSpan LongestPause,
    double PlayedSeconds,
    int Frames,
    IReadOnlyList<string> Sizes,
    string Detail
)
{
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Player} ({Round}): played {PlayedSeconds:F1} s, {Frames} frames");
        text.Append(CultureInfo.InvariantCulture, $", sizes {string.Join(" → ", Sizes)}");
        text.Append(CultureInfo.InvariantCulture, $", longest pause {LongestPause.TotalSeconds:F2} s");
        text.Append(CultureInfo.InvariantCulture, $", {GapsJumped} gaps jumped");
        text.Append(CultureInfo.InvariantCulture, $", fatal: [{string.Join("; ", FatalErrors)}]");
        text.Append(CultureInfo.InvariantCulture, $", other errors: [{string.Join("; ", Errors.Take(10))}]");
        if (Detail.Length > 0)
            text.Append("; ").Append(Detail);
        return text.ToString();
    }
}
