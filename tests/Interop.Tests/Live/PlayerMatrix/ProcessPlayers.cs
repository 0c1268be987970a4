using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace MobZ.Interop.Tests.Live.PlayerMatrix;

/// <summary>
/// GStreamer (<c>playbin3</c>, which picks hlsdemux2) and ffmpeg as plain HLS clients: each decodes the stream for
/// a while and prints every decoded video frame's timestamp and picture size, which are read back here.
/// </summary>
public static partial class ProcessPlayers
{
    /// <summary>
    /// gst-launch with an <c>identity</c> in front of the video sink, verbose, so every decoded frame's PTS and every
    /// caps change are printed. It plays until it is stopped after <paramref name="duration"/>; ending before that
    /// is a failure (gst-launch ends on an error message or at the end of the stream, neither of which a live
    /// stream should send).
    /// </summary>
    public static async Task<Viewing> GStreamerAsync(Uri playlist, string round, TimeSpan duration)
    {
        var (status, output) = await RunAsync(
            "gst-launch-1.0",
            [
                "-v",
                "playbin3",
                $"uri={playlist}",
                "video-sink=identity silent=false ! fakesink sync=true",
                "audio-sink=fakesink sync=true",
            ],
            duration
        );
        var pts = new List<double>();
        var sizes = new List<string>();
        var fatal = new List<string>();
        var errors = new List<string>();
        foreach (var line in output)
        {
            if (line.Contains("GstIdentity:identity0: last-message = chain", StringComparison.Ordinal))
            {
                var m = GstPts().Match(line);
                if (m.Success)
                {
                    pts.Add(
                        int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 3600
                            + int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) * 60
                            + double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)
                    );
                }
            }
            else if (
                line.Contains("GstIdentity:identity0.GstPad:src: caps = video/x-raw", StringComparison.Ordinal)
                && GstSize().Match(line) is { Success: true } size
            )
            {
                AddSize(sizes, $"{size.Groups[1].Value}x{size.Groups[2].Value}");
            }
            else if (line.StartsWith("ERROR:", StringComparison.Ordinal))
            {
                fatal.Add(line);
            }
            else if (line.StartsWith("WARNING:", StringComparison.Ordinal))
            {
                errors.Add(line);
            }
        }
        if (status is { } early)
            fatal.Add($"gst-launch-1.0 ended by itself before the minute was over, with status {early}");
        var demuxer = output.Any(l => l.Contains("GstHLSDemux2:", StringComparison.Ordinal))
            ? "hlsdemux2"
            : "no hlsdemux2 in the pipeline";
        return FromTimestamps("GStreamer playbin3", round, pts, sizes, fatal, errors, demuxer);
    }

    /// <summary>
    /// ffmpeg's HLS demuxer decoding the video for <paramref name="duration"/> of output; <c>showinfo</c> prints every
    /// decoded frame's timestamp and size, and <c>+level</c> tags each log line with its severity.
    /// </summary>
    public static async Task<Viewing> FfmpegAsync(Uri playlist, string round, TimeSpan duration)
    {
        var seconds = ((int)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var (status, output) = await RunAsync(
            "ffmpeg",
            [
                "-hide_banner",
                "-nostdin",
                "-loglevel",
                "+level+info",
                "-i",
                playlist.ToString(),
                "-map",
                "0:v:0",
                "-vf",
                "showinfo",
                "-t",
                seconds,
                "-f",
                "null",
                "-",
            ],
            // -t ends it after a minute of output: one that is still running long after has stopped playing.
            duration + TimeSpan.FromSeconds(45)
        );
        var pts = new List<double>();
        var sizes = new List<string>();
        var fatal = new List<string>();
        var errors = new List<string>();
        foreach (var line in output)
        {
            if (
                line.Contains("Parsed_showinfo", StringComparison.Ordinal)
                && FfmpegFrame().Match(line) is { Success: true } m
            )
            {
                pts.Add(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
                AddSize(sizes, m.Groups[2].Value);
            }
            else if (
                line.Contains("[fatal]", StringComparison.Ordinal) || line.Contains("[panic]", StringComparison.Ordinal)
            )
            {
                fatal.Add(line);
            }
            else if (
                line.Contains("[error]", StringComparison.Ordinal)
                || line.Contains("[warning]", StringComparison.Ordinal)
            )
            {
                errors.Add(line);
            }
        }
        if (status is not 0)
            fatal.Add(status is { } code ? $"ffmpeg exited with status {code}" : "ffmpeg was still running, stopped");
        return FromTimestamps("ffmpeg", round, pts, sizes, fatal, errors, "");
    }

    private static Viewing FromTimestamps(
        string player,
        string round,
        List<double> pts,
        List<string> sizes,
        List<string> fatal,
        List<string> errors,
        string detail
    )
    {
        double longest = 0;
        int holes = 0;
        int backwards = 0;
        for (int i = 1; i < pts.Count; i++)
        {
            double step = pts[i] - pts[i - 1];
            longest = Math.Max(longest, step);
            if (step > 1)
                holes++;
            if (step < 0)
                backwards++;
        }
        if (backwards > 0)
            errors.Add($"{backwards} frames with a timestamp before the previous frame's");
        double played = pts.Count > 1 ? pts[^1] - pts[0] : 0;
        return new Viewing(
            player,
            round,
            fatal,
            errors,
            holes,
            TimeSpan.FromSeconds(longest),
            played,
            pts.Count,
            sizes,
            detail
        );
    }

    private static void AddSize(List<string> sizes, string size)
    {
        if (sizes.Count == 0 || sizes[^1] != size)
            sizes.Add(size);
    }

    /// <summary>Runs <paramref name="exe"/> for at most <paramref name="limit"/>, then kills it: its exit status, or
    /// null when it was still running; its output and error lines.</summary>
    private static async Task<(int? Status, IReadOnlyList<string> Output)> RunAsync(
        string exe,
        string[] args,
        TimeSpan limit
    )
    {
        var start = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var lines = new List<string>();
        async Task ReadAsync(StreamReader reader)
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (lines)
                    lines.Add(line);
            }
        }
        var stdout = ReadAsync(process.StandardOutput);
        var stderr = ReadAsync(process.StandardError);
        int? status = null;
        using (var timer = new CancellationTokenSource(limit))
        {
            try
            {
                await process.WaitForExitAsync(timer.Token);
                status = process.ExitCode;
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        await Task.WhenAll(stdout, stderr);
        return (status, lines);
    }

    [GeneratedRegex(@"pts: (\d+):(\d\d):(\d\d\.\d+)")]
    private static partial Regex GstPts();

    [GeneratedRegex(@"width=\(int\)(\d+), height=\(int\)(\d+)")]
    private static partial Regex GstSize();

    [GeneratedRegex(@"pts_time:(-?[\d.]+) .* s:(\d+x\d+) ")]
    private static partial Regex FfmpegFrame();
}
