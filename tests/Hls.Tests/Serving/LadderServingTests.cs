using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MobZ.Hls.Serving.Playlists;
using MobZ.Hls.Serving.Storage;
using MobZ.Hls.Tests.Fixtures;
using MobZ.State;
using MobZ.State.InProcess;

namespace MobZ.Hls.Tests.Serving;

/// <summary>
/// Issue 12, the adaptive ladder from simulcast, as players see it: the multivariant playlist offers one variant per
/// layer (RESOLUTION, CODECS, BANDWIDTH, AVERAGE-BANDWIDTH, FRAME-RATE), each rendition's media playlist numbers its
/// segments as the others do and reports the others (EXT-X-RENDITION-REPORT), and a layer that stops leaves the
/// offer and comes back, its playlist keeping the shared numbering with EXT-X-GAP segments.
/// </summary>
public sealed class LadderServingTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private readonly HlsOptions _options = new();
    private readonly string _stream = $"room-{Guid.NewGuid():N}";
    private readonly FakeTimeProvider _time = new(Start);
    private IStateBackend _backend = null!;
    private HlsTestServer _server = null!;
    private HlsStreamWriter _writer = null!;
    private HlsLadder _ladder = null!;

    public async Task InitializeAsync()
    {
        _backend = new InProcessBackend(NullLoggerFactory.Instance);
        _server = await HlsTestServer.StartAsync(_backend, _ => { });
        _writer = new HlsStreamWriter(_stream, _backend.Store, _backend.Bus, _options, NullLogger.Instance);
        _ladder = new HlsLadder(_stream, _writer, _options, time: _time);
    }

    public async Task DisposeAsync()
    {
        await _ladder.DisposeAsync();
        await _server.DisposeAsync();
        await _backend.DisposeAsync();
    }

    private async Task SendAsync(SimulcastPublisher publisher, int frames)
    {
        publisher.Send(_ladder, frames);
        await _writer.FlushAsync();
    }

    private async Task<string> GetAsync(string file, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using HttpResponseMessage response = await _server.Client.GetAsync($"hls/{_stream}/{file}");
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static List<(Dictionary<string, string> Attributes, string Uri)> Variants(string multivariant)
    {
        string[] lines = multivariant.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var variants = new List<(Dictionary<string, string>, string)>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal))
            {
                variants.Add((ParsedPlaylist.Attributes(lines[i]["#EXT-X-STREAM-INF:".Length..]), lines[i + 1]));
            }
        }

        return variants;
    }

    private static long Number(Dictionary<string, string> attributes, string name) =>
        long.Parse(attributes[name], CultureInfo.InvariantCulture);

    [Fact]
    public async Task Multivariant_playlist_offers_one_variant_per_layer_with_what_a_player_chooses_by()
    {
        var publisher = new SimulcastPublisher(_time);
        _ladder.KeyframeNeeded += publisher.RequestKeyframe;
        await SendAsync(publisher, 30 * 12);

        var variants = Variants(await GetAsync("index.m3u8"));
        Assert.Equal(3, variants.Count);
        Assert.Equal(
            ["media.m3u8", "media1.m3u8", "media2.m3u8"],
            variants.Select(v => v.Uri).Order(StringComparer.Ordinal)
        );
        var byUri = variants.ToDictionary(v => v.Uri, v => v.Attributes);
        string[] uris = ["media.m3u8", "media1.m3u8", "media2.m3u8"];
        for (int layer = 0; layer < 3; layer++)
        {
            Dictionary<string, string> v = byUri[uris[layer]];
            (int width, int height) = SimulcastPublisher.Sizes[layer];
            Assert.Equal($"{width}x{height}", v["RESOLUTION"]);
            Assert.Equal("avc1.42c01f,opus", v["CODECS"]);
            Assert.Equal("30.000", v["FRAME-RATE"]);
            Assert.InRange(Number(v, "AVERAGE-BANDWIDTH"), 1, Number(v, "BANDWIDTH"));
        }

        // Bigger layers cost more; the first variant is where order-following players start: the best one under
        // the start bandwidth (all of these are), then the others by bandwidth.
        long[] bandwidths = uris.Select(u => Number(byUri[u], "BANDWIDTH")).ToArray();
        Assert.True(bandwidths[0] < bandwidths[1] && bandwidths[1] < bandwidths[2], string.Join(",", bandwidths));
        Assert.Equal(["media2.m3u8", "media.m3u8", "media1.m3u8"], variants.Select(v => v.Uri));

        // Each rendition's playlist is served beside media.m3u8; there is no fourth.
        await GetAsync("media2.m3u8");
        await GetAsync("media3.m3u8", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Renditions_share_media_sequence_numbers_and_program_date_times_and_report_each_other()
    {
        var publisher = new SimulcastPublisher(_time);
        publisher.Starts(1, atFrame: 40); // a layer that starts later joins the numbering, not from 0
        _ladder.KeyframeNeeded += publisher.RequestKeyframe;
        await SendAsync(publisher, 30 * 15);

        string[] uris = ["media.m3u8", "media1.m3u8", "media2.m3u8"];
        ParsedPlaylist[] playlists = await Task.WhenAll(
            uris.Select(async u => ParsedPlaylist.Parse(await GetAsync(u)))
        );
        var byMsn = playlists.Select(p => p.Segments.ToDictionary(s => s.Msn)).ToArray();
        long[] common = byMsn[0].Keys.Intersect(byMsn[1].Keys).Intersect(byMsn[2].Keys).ToArray();
        Assert.True(common.Length >= 4, $"{common.Length} segments in every rendition");
        foreach (long msn in common)
        {
            DateTimeOffset first = byMsn[0][msn].ProgramDateTime!.Value;
            for (int r = 1; r < 3; r++)
            {
                Assert.InRange(
                    (byMsn[r][msn].ProgramDateTime!.Value - first).Duration(),
                    TimeSpan.Zero,
                    SimulcastPublisher.FrameInterval
                );
            }
        }

        Assert.Equal(playlists[0].Segments[^1].Msn, playlists[1].Segments[^1].Msn);
        Assert.Equal(playlists[0].Segments[^1].Msn, playlists[2].Segments[^1].Msn);
        for (int r = 0; r < 3; r++)
        {
            var reports = playlists[r].RenditionReports.ToDictionary(a => a["URI"]);
            Assert.Equal(uris.Where((_, i) => i != r).Order(), reports.Keys.Order());
            foreach ((string uri, Dictionary<string, string> report) in reports)
            {
                ParsedPlaylist other = playlists[Array.IndexOf(uris, uri)];
                Assert.Equal(other.Segments[^1].Msn, Number(report, "LAST-MSN"));
                Assert.Equal(other.Segments[^1].Parts.Count - 1, Number(report, "LAST-PART"));
            }
        }
    }

    [Fact]
    public async Task A_layer_that_stops_leaves_the_offer_and_comes_back_on_the_same_numbering()
    {
        var publisher = new SimulcastPublisher(_time);
        publisher.Pauses(2, fromFrame: 150, toFrame: 420); // off from 5 s to 14 s
        _ladder.KeyframeNeeded += publisher.RequestKeyframe;
        await SendAsync(publisher, 420);

        Assert.DoesNotContain("media2.m3u8", Variants(await GetAsync("index.m3u8")).Select(v => v.Uri));
        ParsedPlaylist low = ParsedPlaylist.Parse(await GetAsync("media.m3u8"));
        Assert.DoesNotContain(low.RenditionReports, r => r["URI"] == "media2.m3u8");

        await SendAsync(publisher, 30 * 8);
        Assert.Contains("media2.m3u8", Variants(await GetAsync("index.m3u8")).Select(v => v.Uri));
        low = ParsedPlaylist.Parse(await GetAsync("media.m3u8"));
        ParsedPlaylist top = ParsedPlaylist.Parse(await GetAsync("media2.m3u8"));
        Assert.Contains(low.RenditionReports, r => r["URI"] == "media2.m3u8");

        // The segments it missed are gaps (no file to load), in the numbering the others have.
        Assert.Contains(top.Segments, s => s.Gap);
        ParsedPlaylist.Segment resumed = top.Segments.First(s => !s.Gap && s.Msn > top.Segments.First(g => g.Gap).Msn);
        Assert.True(resumed.Discontinuity);
        var lowByMsn = low.Segments.ToDictionary(s => s.Msn);
        Assert.InRange(
            (resumed.ProgramDateTime!.Value - lowByMsn[resumed.Msn].ProgramDateTime!.Value).Duration(),
            TimeSpan.Zero,
            SimulcastPublisher.FrameInterval
        );
        Assert.Equal(low.Segments[^1].Msn, top.Segments[^1].Msn);
        using HttpResponseMessage gap = await _server.Client.GetAsync(
            $"hls/{_stream}/{top.Segments.First(s => s.Gap).Uri}"
        );
        Assert.Equal(HttpStatusCode.NotFound, gap.StatusCode);
    }

    [Fact]
    public void A_stream_without_simulcast_offers_its_one_rendition_as_before()
    {
        var doc = new PlaylistDocument
        {
            TargetDuration = 3,
            PartTarget = 0.2,
            Session = "0123456789ab",
            VideoCodec = "avc1.42c01f",
            AudioCodec = "opus",
            Width = 640,
            Height = 480,
            PeakBandwidth = 900_000,
            AverageBandwidth = 800_000,
        };
        Assert.Equal(
            "#EXTM3U\n#EXT-X-VERSION:9\n"
                + "#EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=800000,CODECS=\"avc1.42c01f,opus\","
                + "RESOLUTION=640x480\nmedia.m3u8\n",
            MultivariantPlaylistWriter.Write(doc, "")
        );
        Assert.Empty(Ladder.Reports(doc, 0));
    }
}
