using System.Globalization;
using System.Text.RegularExpressions;

namespace MobZ.Hls.Tests.Fixtures;

/// <summary>A small, strict reader of the media playlists we serve, written from the spec for the tests.</summary>
public sealed partial class ParsedPlaylist
{
    public sealed record Part(double Duration, string Uri, bool Independent);

    public sealed class Segment
    {
        public long Msn { get; init; }
        public double? Duration { get; set; }
        public string? Uri { get; set; }
        public List<Part> Parts { get; } = [];
        public bool Discontinuity { get; set; }
        public bool Gap { get; set; }
        public string? Map { get; set; }
        public DateTimeOffset? ProgramDateTime { get; set; }
    }

    public required string Text { get; init; }
    public Dictionary<string, string> Tags { get; } = [];
    public List<Segment> Segments { get; } = [];
    public List<string> PreloadHints { get; } = [];
    public List<Dictionary<string, string>> RenditionReports { get; } = [];
    public int Skipped { get; private set; }
    public bool Ended { get; private set; }

    public IEnumerable<Segment> Complete => Segments.Where(s => s.Uri is not null);

    public double Attribute(string tag, string name) =>
        double.Parse(Attributes(Tags[tag])[name], CultureInfo.InvariantCulture);

    public static Dictionary<string, string> Attributes(string list) =>
        AttributeRegex().Matches(list).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim('"'));

    public static ParsedPlaylist Parse(string text)
    {
        var playlist = new ParsedPlaylist { Text = text };
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("#EXTM3U", lines[0]);
        long msn = -1;
        Segment? current = null;
        string? map = null;
        bool discontinuity = false;
        DateTimeOffset? pdt = null;

        Segment Current()
        {
            if (current is null)
            {
                if (msn < 0)
                {
                    msn =
                        long.Parse(playlist.Tags["#EXT-X-MEDIA-SEQUENCE"], CultureInfo.InvariantCulture)
                        + playlist.Skipped;
                }

                current = new Segment
                {
                    Msn = msn++,
                    Map = map,
                    Discontinuity = discontinuity,
                    ProgramDateTime = pdt,
                };
                discontinuity = false;
                playlist.Segments.Add(current);
            }

            return current;
        }

        foreach (string line in lines.Skip(1))
        {
            if (!line.StartsWith('#'))
            {
                Current().Uri = line;
                current = null;
                continue;
            }

            int colon = line.IndexOf(':');
            string tag = colon < 0 ? line : line[..colon];
            string value = colon < 0 ? "" : line[(colon + 1)..];
            switch (tag)
            {
                case "#EXT-X-SKIP":
                    playlist.Skipped = int.Parse(Attributes(value)["SKIPPED-SEGMENTS"], CultureInfo.InvariantCulture);
                    break;
                case "#EXT-X-MAP":
                    map = Attributes(value)["URI"];
                    break;
                case "#EXT-X-DISCONTINUITY":
                    discontinuity = true;
                    break;
                case "#EXT-X-PROGRAM-DATE-TIME":
                    pdt = DateTimeOffset.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "#EXT-X-PART":
                    var a = Attributes(value);
                    Current()
                        .Parts.Add(
                            new Part(
                                double.Parse(a["DURATION"], CultureInfo.InvariantCulture),
                                a["URI"],
                                a.GetValueOrDefault("INDEPENDENT") == "YES"
                            )
                        );
                    break;
                case "#EXTINF":
                    Current().Duration = double.Parse(value.TrimEnd(','), CultureInfo.InvariantCulture);
                    break;
                case "#EXT-X-PRELOAD-HINT":
                    playlist.PreloadHints.Add(value);
                    break;
                case "#EXT-X-RENDITION-REPORT":
                    playlist.RenditionReports.Add(Attributes(value));
                    break;
                case "#EXT-X-GAP":
                    Current().Gap = true;
                    break;
                case "#EXT-X-ENDLIST":
                    playlist.Ended = true;
                    break;
                default:
                    Assert.False(playlist.Tags.ContainsKey(tag), $"{tag} appears twice");
                    playlist.Tags[tag] = value;
                    break;
            }
        }

        return playlist;
    }

    [GeneratedRegex("([A-Z0-9-]+)=(\"[^\"]*\"|[^,]*)")]
    private static partial Regex AttributeRegex();
}
