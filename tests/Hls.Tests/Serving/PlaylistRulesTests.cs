using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Hls.Serving.Storage;
using MobZ.Hls.Tests.Fixtures;
using MobZ.State;
using MobZ.State.InProcess;

namespace MobZ.Hls.Tests.Serving;

/// <summary>Issue 12 (5): delta updates after the end, how far EXT-X-PART tags reach, and preload hints that are
/// kept.</summary>
[Collection(CapturedStreamCollection.Name)]
public sealed class PlaylistRulesTests(CapturedStreamFixture capture)
{
    private static HlsOptions Fast() =>
        new()
        {
            PartTarget = TimeSpan.FromMilliseconds(200),
            SegmentTarget = TimeSpan.FromMilliseconds(600), // TARGETDURATION 1
            PlaylistSegments = 10,
        };

    [Fact]
    public async Task An_ended_playlist_ignores_skip_and_is_served_whole()
    {
        await using IStateBackend backend = new InProcessBackend(NullLoggerFactory.Instance);
        HlsOptions options = Fast();
        await using HlsTestServer server = await HlsTestServer.StartAsync(backend, o =>
        {
            o.PartTarget = options.PartTarget;
            o.SegmentTarget = options.SegmentTarget;
            o.PlaylistSegments = options.PlaylistSegments;
        });
        var publisher = new SyntheticPublisher("ended", backend, options);
        await publisher.InitAsync();
        await publisher.SegmentsAsync(10, parts: 5); // ten 1 s segments: four are older than CAN-SKIP-UNTIL
        string live = await server.Client.GetStringAsync("/hls/ended/media.m3u8?_HLS_skip=YES");
        Assert.Contains("#EXT-X-SKIP", live); // a live delta update skips them

        await publisher.EndAsync();
        ParsedPlaylist ended = ParsedPlaylist.Parse(
            await server.Client.GetStringAsync("/hls/ended/media.m3u8?_HLS_skip=YES")
        );

        Assert.True(ended.Ended);
        Assert.DoesNotContain("#EXT-X-SKIP", ended.Text); // rfc8216bis §6.2.5.1: ignored once EXT-X-ENDLIST is there
        Assert.Equal(10, ended.Complete.Count());
    }

    [Fact]
    public async Task Part_tags_never_reach_further_than_three_target_durations_from_the_end()
    {
        await using IStateBackend backend = new InProcessBackend(NullLoggerFactory.Instance);
        HlsOptions options = Fast();
        var publisher = new SyntheticPublisher("parts", backend, options);
        var keys = new HlsKeys(HlsServingOptions.DefaultKeyPrefix);
        await publisher.InitAsync();
        for (int s = 0; s < 10; s++)
        {
            for (int p = 0; p < 3; p++)
            {
                await publisher.PartAsync();
                PlaylistDocument doc = JsonSerializer.Deserialize(
                    (await backend.Store.GetAsync(keys.Playlist("parts")))!,
                    HlsJsonContext.Default.PlaylistDocument
                )!;
                ParsedPlaylist playlist = ParsedPlaylist.Parse(
                    MobZ.Hls.Serving.Playlists.MediaPlaylistWriter.Write(doc, skip: false)
                );
                double total = playlist.Segments.Sum(x => x.Duration ?? x.Parts.Sum(y => y.Duration));
                double start = 0;
                foreach (ParsedPlaylist.Segment segment in playlist.Segments)
                {
                    foreach (ParsedPlaylist.Part part in segment.Parts)
                    {
                        Assert.True(
                            total - start <= 3 * 1 + 1e-6,
                            $"{part.Uri} starts {total - start:F1} s from the end of the playlist"
                        );
                        start += part.Duration;
                    }

                    if (segment.Parts.Count == 0)
                    {
                        start += segment.Duration!.Value;
                    }
                }
            }

            await publisher.EndSegmentAsync();
        }
    }

    [Fact]
    public async Task Every_preload_hinted_part_is_published()
    {
        var recording = DispatchProxy.Create<IStateStore, PlaylistRecorder>();
        await using var backend = new InProcessBackend(NullLoggerFactory.Instance);
        var recorder = (PlaylistRecorder)(object)recording;
        recorder.Inner = backend.Store;
        var options = new HlsOptions { PlaylistSegments = 50 };
        var writer = new HlsStreamWriter("hinted", recording, backend.Bus, options, NullLogger.Instance);
        var packager = new HlsPackager("hinted", writer, options);
        FfmpegRtpCapture.Replay(capture.Packets, packager);
        await packager.DisposeAsync();

        PlaylistDocument final = recorder.Documents[^1];
        Assert.True(final.Ended);
        var published = final
            .Segments.SelectMany(s => Enumerable.Range(0, s.Parts!.Count).Select(p => (s.Session, s.Msn, p)))
            .ToHashSet();
        (long Msn, int Part) last = published.Max(p => (p.Msn, p.p));
        var hints = recorder
            .Documents.Select(d => d.PreloadHint)
            .OfType<(string Session, long Msn, int Part)>()
            .ToList();
        Assert.NotEmpty(hints);
        // A hint past the last part published is one the publisher left before sending.
        var lost = hints
            .Where(h => !published.Contains(h) && (h.Msn, h.Part).CompareTo(last) < 0)
            .Distinct()
            .Select(h => $"{h.Msn}.{h.Part}")
            .ToList();
        Assert.True(lost.Count == 0, $"hinted but never published: {string.Join(", ", lost)}");
    }

    [Fact]
    public void A_new_session_is_hinted_by_its_init_segment_until_its_first_part_is_listed()
    {
        // A resolution change stored the new session's init after segment 0 ended; no part of it exists yet. A
        // hinted part of the new session would be loaded by a player as media of the init listed last (the old
        // one): Shaka Player preloads hints.
        var doc = new PlaylistDocument
        {
            TargetDuration = 3,
            PartTarget = 0.2,
            Session = "new",
            NextMsn = 1,
            PendingDiscontinuity = true,
            Segments =
            [
                new SegmentRecord
                {
                    Msn = 0,
                    Session = "old",
                    Duration = 0.2,
                    Complete = true,
                    Parts = [new PartRecord { Duration = 0.2, Independent = true }],
                },
            ],
        };

        string text = MobZ.Hls.Serving.Playlists.MediaPlaylistWriter.Write(doc, skip: false);

        Assert.DoesNotContain("#EXT-X-PRELOAD-HINT:TYPE=PART", text);
        Assert.Contains("#EXT-X-PRELOAD-HINT:TYPE=MAP,URI=\"new/init.mp4\"\n", text);

        doc.Session = "old";
        Assert.Contains(
            "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"old/1.0.m4s\"\n",
            MobZ.Hls.Serving.Playlists.MediaPlaylistWriter.Write(doc, skip: false)
        );
    }

    /// <summary>Passes every call to the store and keeps each playlist document the writer stores.</summary>
    public class PlaylistRecorder : DispatchProxy
    {
        public IStateStore Inner { get; set; } = null!;

        internal List<PlaylistDocument> Documents { get; } = [];

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (
                method!.Name == nameof(IStateStore.SetAsync)
                && args![0] is string key
                && key.EndsWith(":playlist", StringComparison.Ordinal)
            )
            {
                lock (Documents)
                {
                    Documents.Add(
                        JsonSerializer.Deserialize(
                            ((ReadOnlyMemory<byte>)args[1]!).Span,
                            HlsJsonContext.Default.PlaylistDocument
                        )!
                    );
                }
            }

            return method.Invoke(Inner, args);
        }
    }
}
