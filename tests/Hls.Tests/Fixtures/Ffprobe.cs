using System.Diagnostics;
using System.Text.Json;

namespace MobZ.Hls.Tests.Fixtures;

/// <summary>Debian's ffprobe and ffmpeg as independent judges of the files we write.</summary>
public static class Ffprobe
{
    public sealed record Stream(string CodecName, string CodecType, int Width, int Height, string? Profile);

    public sealed record Report(IReadOnlyList<Stream> Streams, double Duration, string Errors);

    public static async Task<Report> ProbeAsync(byte[] file)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mobz-hls-{Guid.NewGuid():N}.mp4");
        await System.IO.File.WriteAllBytesAsync(path, file);
        try
        {
            (string json, string probeErrors) = await RunAsync(
                "/usr/bin/ffprobe",
                $"-v error -print_format json -show_streams -show_format \"{path}\""
            );
            // Decoding every frame is stricter than probing: broken NAL units or timestamps show up here.
            (_, string decodeErrors) = await RunAsync("/usr/bin/ffmpeg", $"-v error -nostdin -i \"{path}\" -f null -");
            using JsonDocument doc = JsonDocument.Parse(json);
            var streams = new List<Stream>();
            foreach (JsonElement s in doc.RootElement.GetProperty("streams").EnumerateArray())
            {
                streams.Add(
                    new Stream(
                        s.GetProperty("codec_name").GetString()!,
                        s.GetProperty("codec_type").GetString()!,
                        s.TryGetProperty("width", out JsonElement w) ? w.GetInt32() : 0,
                        s.TryGetProperty("height", out JsonElement h) ? h.GetInt32() : 0,
                        s.TryGetProperty("profile", out JsonElement p) ? p.GetString() : null
                    )
                );
            }

            double duration = doc.RootElement.GetProperty("format").TryGetProperty("duration", out JsonElement d)
                ? double.Parse(d.GetString()!, System.Globalization.CultureInfo.InvariantCulture)
                : 0;
            return new Report(streams, duration, (probeErrors + decodeErrors).Trim());
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    private static async Task<(string Output, string Errors)> RunAsync(string exe, string args)
    {
        using var process = Process.Start(
            new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true }
        )!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (await output, await errors);
    }
}
