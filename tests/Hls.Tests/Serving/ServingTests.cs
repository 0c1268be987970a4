using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MobZ.Hls.Serving;
using MobZ.Hls.Serving.Storage;
using MobZ.Hls.Tests.Fixtures;
using MobZ.State;
using MobZ.TestKit;
using MobZ.TestKit.Redis;
using MobZ.TestKit.Time;

namespace MobZ.Hls.Tests.Serving;

/// <summary>The LL-HLS serving rules, over real Kestrel, on both state backends.</summary>
public sealed class ServingTests(RedisServer redis) : IClassFixture<RedisServer>
{
    // Short targets keep the 3 × target duration limits of the spec quick to reach in a test.
    private static void Fast(HlsOptions o)
    {
        o.PartTarget = TimeSpan.FromMilliseconds(100);
        o.SegmentTarget = TimeSpan.FromMilliseconds(400); // TARGETDURATION 1 (0.6 rounded up)
        o.PlaylistSegments = 10;
    }

    private static HlsOptions FastOptions()
    {
        var o = new HlsOptions();
        Fast(o);
        return o;
    }

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <param name="time">the server's clock (its fallback poll and blocking timeouts); the system clock when
    /// null.</param>
    private async Task<(
        IStateBackend Backend,
        HlsTestServer Server,
        SyntheticPublisher Publisher,
        string Stream
    )> StartAsync(string backendName, TimeProvider? time = null)
    {
        IStateBackend backend = await Backends.CreateAsync(backendName, redis);
        HlsTestServer server = await HlsTestServer.StartAsync(
            backend,
            Fast,
            time is null ? null : s => s.AddSingleton(time)
        );
        string stream = $"room-{Guid.NewGuid():N}";
        return (backend, server, new SyntheticPublisher(stream, backend, FastOptions()), stream);
    }

    private static async Task<ParsedPlaylist> GetPlaylistAsync(HttpClient client, string url)
    {
        using HttpResponseMessage response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.apple.mpegurl", response.Content.Headers.ContentType?.MediaType);
        return ParsedPlaylist.Parse(await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Media_playlist_carries_every_low_latency_tag_with_spec_compliant_values(string backendName)
    {
        var (backend, server, publisher, stream) = await StartAsync(backendName);
        await using var _ = backend;
        await using var __ = server;
        await publisher.InitAsync();
        await publisher.SegmentsAsync(4, parts: 4);
        await publisher.PartAsync();

        ParsedPlaylist p = await GetPlaylistAsync(server.Client, $"/hls/{stream}/media.m3u8");

        Assert.True(int.Parse(p.Tags["#EXT-X-VERSION"]) >= 9);
        int targetDuration = int.Parse(p.Tags["#EXT-X-TARGETDURATION"]);
        double partTarget = p.Attribute("#EXT-X-PART-INF", "PART-TARGET");
        var control = ParsedPlaylist.Attributes(p.Tags["#EXT-X-SERVER-CONTROL"]);
        Assert.Equal("YES", control["CAN-BLOCK-RELOAD"]);
        Assert.True(double.Parse(control["PART-HOLD-BACK"]) >= (3 * partTarget) - 1e-9);
        Assert.True(double.Parse(control["HOLD-BACK"]) >= 3 * targetDuration);
        Assert.True(double.Parse(control["CAN-SKIP-UNTIL"]) >= 6 * targetDuration);
        Assert.Equal("0", p.Tags["#EXT-X-MEDIA-SEQUENCE"]);
        Assert.All(p.Complete, s => Assert.True(Math.Round(s.Duration!.Value) <= targetDuration));
        Assert.All(p.Segments.SelectMany(s => s.Parts), part => Assert.True(part.Duration <= partTarget + 1e-9));
        Assert.All(p.Segments, s => Assert.NotNull(s.Map));
        Assert.All(p.Segments, s => Assert.NotNull(s.ProgramDateTime));
        Assert.Equal(4, p.Complete.Count());
        Assert.Single(p.PreloadHints);
        Assert.Contains("TYPE=PART", p.PreloadHints[0]);
        Assert.Contains("/4.1.m4s", p.PreloadHints[0]); // segment 4 has part 0, part 1 is next
        Assert.False(p.Ended);
        Assert.True(p.Segments[0].Parts[0].Independent);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Parts_are_listed_only_for_segments_within_three_target_durations_of_the_end(string backendName)
    {
        var (backend, server, publisher, stream) = await StartAsync(backendName);
        await using var _ = backend;
        await using var __ = server;
        await publisher.InitAsync();
        await publisher.SegmentsAsync(10, parts: 4); // 0.4 s each, TARGETDURATION 1

        ParsedPlaylist p = await GetPlaylistAsync(server.Client, $"/hls/{stream}/media.m3u8");

        double fromEnd = 0;
        foreach (ParsedPlaylist.Segment segment in Enumerable.Reverse(p.Segments))
        {
            if (fromEnd > 3 * 1)
            {
                Assert.Empty(segment.Parts);
            }

            fromEnd += segment.Duration ?? segment.Parts.Sum(x => x.Duration);
        }

        Assert.NotEmpty(p.Segments[^1].Parts);
        Assert.Empty(p.Segments[0].Parts);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Multivariant_playlist_names_codecs_resolution_bandwidth_and_the_media_playlist(string backendName)
    {
        var (backend, server, publisher, stream) = await StartAsync(backendName);
        await using var _ = backend;
        await using var __ = server;
        await publisher.InitAsync(640, 360);
        await publisher.SegmentsAsync(1, parts: 4);

        string text = await server.Client.GetStringAsync($"/hls/{stream}/index.m3u8");

        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("#EXTM3U", lines[0]);
        string inf = Assert.Single(lines, l => l.StartsWith("#EXT-X-STREAM-INF:"));
        var attributes = ParsedPlaylist.Attributes(inf["#EXT-X-STREAM-INF:".Length..]);
        Assert.Equal("avc1.42c01f,opus", attributes["CODECS"]);
        Assert.Equal("640x360", attributes["RESOLUTION"]);
        Assert.True(long.Parse(attributes["BANDWIDTH"]) > 0);
        Assert.Equal("media.m3u8", lines[Array.IndexOf(lines, inf) + 1]);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Blocking_reload_is_released_by_the_writers_nudge_when_the_part_is_stored(string backendName)
    {
        IStateBackend backend = await Backends.CreateAsync(backendName, redis);
        await using var _ = backend;
        // The server's clock never moves: its fallback poll and its blocking timeout cannot fire, so an answer can only
        // come from the nudge the writer publishes with the part.
        var time = new TimerCountingTimeProvider(DateTimeOffset.UtcNow);
        await using HlsTestServer server = await HlsTestServer.StartAsync(backend, Fast, s =>
            s.AddSingleton<TimeProvider>(time)
        );
        string stream = $"room-{Guid.NewGuid():N}";
        var publisher = new SyntheticPublisher(stream, backend, FastOptions());
        await publisher.InitAsync();
        await publisher.SegmentsAsync(1, parts: 4);
        await publisher.PartAsync(); // 1.0 exists; ask for 1.1
        await server.Client.GetStringAsync($"/hls/{stream}/media.m3u8"); // the player's first load
        int idle = time.LiveTimers;

        Task<HttpResponseMessage> blocked = server.Client.GetAsync($"/hls/{stream}/media.m3u8?_HLS_msn=1&_HLS_part=1");
        await HeldRequests.AssertHeldAsync(time, idle, blocked, "the request must wait for part 1.1");

        await publisher.PartAsync();
        using HttpResponseMessage response = await blocked.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        ParsedPlaylist p = ParsedPlaylist.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(2, p.Segments.Single(s => s.Msn == 1).Parts.Count);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Blocking_reload_for_a_segment_waits_until_it_is_complete(string backendName)
    {
        // The server's clock moves only when the test moves it: an answer can come only from the parts written.
        var time = new TimerCountingTimeProvider(DateTimeOffset.UtcNow);
        var (backend, server, publisher, stream) = await StartAsync(backendName, time);
        await using var _ = backend;
        await using var __ = server;
        await publisher.InitAsync();
        await publisher.PartAsync();
        await server.Client.GetStringAsync($"/hls/{stream}/media.m3u8"); // the player's first load
        int idle = time.LiveTimers;

        Task<HttpResponseMessage> blocked = server.Client.GetAsync($"/hls/{stream}/media.m3u8?_HLS_msn=0");
        await HeldRequests.AssertHeldAsync(time, idle, blocked, "segment 0 has only one part");
        await publisher.PartAsync();
        await HeldRequests.AssertHeldAsync(time, idle, blocked, "segment 0 is not complete yet");
        await publisher.EndSegmentAsync();

        using HttpResponseMessage response = await blocked.WaitAsync(Deadline);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(ParsedPlaylist.Parse(await response.Content.ReadAsStringAsync()).Complete);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Blocking_reload_answers_503_after_three_target_durations(string backendName)
    {
        var time = new TimerCountingTimeProvider(DateTimeOffset.UtcNow);
        var (backend, server, publisher, stream) = await StartAsync(backendName, time);
        await using var _ = backend;
        await using var __ = server;
        await publisher.InitAsync();
        await publisher.PartAsync();
        await server.Client.GetStringAsync($"/hls/{stream}/media.m3u8"); // the player's first load
        int idle = time.LiveTimers;

        Task<HttpResponseMessage> blocked = server.Client.GetAsync($"/hls/{stream}/media.m3u8?_HLS_msn=0&_HLS_part=1");
        await HeldRequests.AssertHeldAsync(time, idle, blocked, "part 0.1 does not exist");
        time.Advance(TimeSpan.FromSeconds(2.9));
        // Three target durations (TARGETDURATION is 1) have not passed on the server's clock: still held.
        await HeldRequests.AssertHeldAsync(time, idle, blocked, "the request is held for three target durations");
        await HeldRequests.AdvanceUntilAnsweredAsync(time, idle, blocked, TimeSpan.FromMilliseconds(50));

        using HttpResponseMessage response = await blocked;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Malformed_or_too_far_ahead_directives_are_bad_requests(string backendName)
    {
        var time = new TimerCountingTimeProvider(DateTimeOffset.UtcNow);
        var (backend, server, publisher, stream) = await StartAsync(backendName, time);
        await using var _ = backend;
        await using var __ = server;
        await publisher.InitAsync();
        await publisher.SegmentsAsync(2, parts: 4);
        await publisher.PartAsync(); // last complete msn 1, segment 2 open with one part

        foreach (
            string query in new[]
            {
                "_HLS_part=1", // part without msn
                "_HLS_msn=abc",
                "_HLS_msn=-1",
                "_HLS_msn=2&_HLS_part=x",
                "_HLS_msn=4", // more than two past the last segment
                "_HLS_msn=2&_HLS_part=40", // far more than 3 / PART-TARGET parts ahead
            }
        )
        {
            // A request that was held ends in 200 or 503, never 400: the status alone shows it was refused at once.
            using HttpResponseMessage response = await server.Client.GetAsync($"/hls/{stream}/media.m3u8?{query}");
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query} gave {response.StatusCode}");
        }

        // Two segments ahead is still within the limit, so it blocks (and times out on the server's clock) instead of
        // 400.
        int idle = time.LiveTimers;
        Task<HttpResponseMessage> held = server.Client.GetAsync($"/hls/{stream}/media.m3u8?_HLS_msn=3");
        await HeldRequests.AssertHeldAsync(time, idle, held, "msn 3 is within the limit, so the request is held");
        await HeldRequests.AdvanceUntilAnsweredAsync(time, idle, held, TimeSpan.FromMilliseconds(500));
        using HttpResponseMessage allowed = await held;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, allowed.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Unknown_streams_files_and_sessions_are_404(string backendName)
    {
        var (backend, server, publisher, stream) = await StartAsync(backendName);
        await using var _ = backend;
        await using var __ = server;
        await publisher.InitAsync();
        await publisher.SegmentsAsync(1, parts: 4);
        ParsedPlaylist p = await GetPlaylistAsync(server.Client, $"/hls/{stream}/media.m3u8");
        string session = p.Segments[0].Map!.Split('/')[0];

        foreach (
            string url in new[]
            {
                "/hls/nobody/media.m3u8",
                "/hls/nobody/index.m3u8",
                "/hls/bad%20name/media.m3u8",
                $"/hls/{stream}/{session}/99.m4s",
                $"/hls/{stream}/{session}/0.9.m4s", // segment 0 ended with four parts
                $"/hls/{stream}/{session}/x.m4s",
                $"/hls/{stream}/{session}/0.ts",
                $"/hls/{stream}/ffffffffffff/0.m4s",
                $"/hls/{stream}/ffffffffffff/init.mp4",
                $"/hls/{stream}/NOT-A-SESSION/init.mp4",
            }
        )
        {
            using HttpResponseMessage response = await server.Client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{url} gave {response.StatusCode}");
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_preload_hinted_part_request_blocks_until_the_part_exists(string backendName)
    {
        var time = new TimerCountingTimeProvider(DateTimeOffset.UtcNow);
        var (backend, server, publisher, stream) = await StartAsync(backendName, time);
        await using var _ = backend;
        await using var __ = server;
        await publisher.InitAsync();
        await publisher.PartAsync();
        ParsedPlaylist p = await GetPlaylistAsync(server.Client, $"/hls/{stream}/media.m3u8");
        string hint = ParsedPlaylist.Attributes(Assert.Single(p.PreloadHints))["URI"];
        Assert.EndsWith("/0.1.m4s", hint);

        int idle = time.LiveTimers;

        Task<HttpResponseMessage> blocked = server.Client.GetAsync($"/hls/{stream}/{hint}");
        await HeldRequests.AssertHeldAsync(time, idle, blocked, "the hinted part does not exist yet");
        await publisher.PartAsync();

        using HttpResponseMessage response = await blocked.WaitAsync(Deadline);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(SyntheticPublisher.PartBytes(0, 1), await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Every_listed_uri_is_served_with_immutable_caching_and_playlists_with_short_caching(
        string backendName
    )
    {
        var (backend, server, publisher, stream) = await StartAsync(backendName);
        await using var _ = backend;
        await using var __ = server;
        await publisher.InitAsync();
        await publisher.SegmentsAsync(2, parts: 4);
        await publisher.PartAsync();

        using HttpResponseMessage playlistResponse = await server.Client.GetAsync($"/hls/{stream}/media.m3u8");
        Assert.True(playlistResponse.Headers.CacheControl!.MaxAge <= TimeSpan.FromSeconds(1));
        ParsedPlaylist p = ParsedPlaylist.Parse(await playlistResponse.Content.ReadAsStringAsync());
        var uris = p
            .Segments.SelectMany(s => s.Parts.Select(x => x.Uri).Append(s.Uri).Append(s.Map))
            .OfType<string>()
            .Distinct()
            .ToList();
        Assert.Equal(1 + 2 + 9, uris.Count); // init, two segments, nine parts

        foreach (string uri in uris)
        {
            using HttpResponseMessage response = await server.Client.GetAsync($"/hls/{stream}/{uri}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{uri} gave {response.StatusCode}");
            Assert.True(response.Headers.CacheControl!.Public);
            Assert.Equal(TimeSpan.FromDays(365), response.Headers.CacheControl.MaxAge);
            Assert.Contains("immutable", response.Headers.CacheControl.ToString());
        }

        byte[] segment = await server.Client.GetByteArrayAsync($"/hls/{stream}/{p.Segments[1].Uri}");
        Assert.Equal(Enumerable.Range(0, 4).SelectMany(i => SyntheticPublisher.PartBytes(1, i)), segment);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Playlists_are_gzipped_when_accepted_and_cors_allows_other_origins(string backendName)
    {
        var (backend, server, publisher, stream) = await StartAsync(backendName);
        await using var _ = backend;
        await using var __ = server;
        await publisher.InitAsync();
        await publisher.SegmentsAsync(1, parts: 4);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/hls/{stream}/media.m3u8");
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        request.Headers.Add("Origin", "https://viewer.example");
        using HttpResponseMessage response = await server.Client.SendAsync(request);
        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        await using var gzip = new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        string text = await new StreamReader(gzip).ReadToEndAsync();
        Assert.StartsWith("#EXTM3U\n", text);

        using var preflight = new HttpRequestMessage(HttpMethod.Options, $"/hls/{stream}/media.m3u8");
        preflight.Headers.Add("Origin", "https://viewer.example");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        using HttpResponseMessage allowed = await server.Client.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Contains("GET", allowed.Headers.GetValues("Access-Control-Allow-Methods").Single());
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Delta_update_skips_only_segments_older_than_can_skip_until(string backendName)
    {
        var (backend, server, publisher, stream) = await StartAsync(backendName);
        await using var _ = backend;
        await using var __ = server;
        await publisher.InitAsync();
        await publisher.SegmentsAsync(10, parts: 4); // 4 s of playlist, CAN-SKIP-UNTIL 6 s: nothing to skip
        ParsedPlaylist none = await GetPlaylistAsync(server.Client, $"/hls/{stream}/media.m3u8?_HLS_skip=YES");
        Assert.Equal(0, none.Skipped);
        Assert.DoesNotContain("#EXT-X-SKIP", none.Text);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Delta_update_replaces_old_segments_with_ext_x_skip(string backendName)
    {
        IStateBackend backend = await Backends.CreateAsync(backendName, redis);
        await using var _ = backend;
        // Longer segments so the window is longer than CAN-SKIP-UNTIL (6 × 1 s).
        static void Options(HlsOptions o)
        {
            Fast(o);
            o.PartTarget = TimeSpan.FromMilliseconds(200);
            o.SegmentTarget = TimeSpan.FromMilliseconds(600); // TARGETDURATION 1 (0.9 rounded up)
        }

        await using HlsTestServer server = await HlsTestServer.StartAsync(backend, Options);
        var options = new HlsOptions();
        Options(options);
        string stream = $"room-{Guid.NewGuid():N}";
        var publisher = new SyntheticPublisher(stream, backend, options);
        await publisher.InitAsync();
        await publisher.SegmentsAsync(10, parts: 5); // ten 1 s segments

        ParsedPlaylist full = await GetPlaylistAsync(server.Client, $"/hls/{stream}/media.m3u8");
        ParsedPlaylist delta = await GetPlaylistAsync(server.Client, $"/hls/{stream}/media.m3u8?_HLS_skip=YES");

        Assert.Equal(10, full.Complete.Count());
        Assert.Equal(4, delta.Skipped); // segments ending more than 6 s before the end
        Assert.Equal(full.Complete.Skip(4).Select(s => s.Uri), delta.Complete.Select(s => s.Uri));
        Assert.Equal(full.Tags["#EXT-X-MEDIA-SEQUENCE"], delta.Tags["#EXT-X-MEDIA-SEQUENCE"]);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task The_window_slides_and_old_data_expires_by_TTL_while_staying_fetchable_meanwhile(
        string backendName
    )
    {
        var (backend, server, publisher, stream) = await StartAsync(backendName);
        await using var _ = backend;
        await using var __ = server;
        await publisher.InitAsync();
        await publisher.SegmentsAsync(13, parts: 4); // window of 10

        ParsedPlaylist p = await GetPlaylistAsync(server.Client, $"/hls/{stream}/media.m3u8");
        Assert.Equal("3", p.Tags["#EXT-X-MEDIA-SEQUENCE"]);
        Assert.Equal(10, p.Complete.Count());
        Assert.Equal(3, p.Segments[0].Msn);

        // Segment 0 and its parts left the playlist but are still served (players may be behind)...
        string session = p.Segments[0].Map!.Split('/')[0];
        using HttpResponseMessage old = await server.Client.GetAsync($"/hls/{stream}/{session}/0.2.m4s");
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);

        // ...until their TTL runs out, so the store does not grow without bound.
        TimeSpan? ttl = await backend.Store.TimeToLiveAsync($"hls:{stream}:{session}:0.2");
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(1), FastOptions().DataTimeToLive);
        Assert.NotNull(await backend.Store.TimeToLiveAsync($"hls:{stream}:playlist"));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_reconnecting_publisher_continues_the_media_sequence_with_a_discontinuity_and_new_map(
        string backendName
    )
    {
        var (backend, server, publisher, stream) = await StartAsync(backendName);
        await using var _ = backend;
        await using var __ = server;
        await publisher.InitAsync();
        await publisher.SegmentsAsync(2, parts: 4);
        await publisher.EndAsync();
        ParsedPlaylist ended = await GetPlaylistAsync(server.Client, $"/hls/{stream}/media.m3u8");
        Assert.True(ended.Ended);
        Assert.Empty(ended.PreloadHints);

        var second = new SyntheticPublisher(stream, backend, FastOptions());
        await second.InitAsync();
        await second.SegmentsAsync(1, parts: 4);

        ParsedPlaylist p = await GetPlaylistAsync(server.Client, $"/hls/{stream}/media.m3u8?_HLS_msn=2");
        Assert.False(p.Ended);
        Assert.Equal([0L, 1L, 2L], p.Complete.Select(s => s.Msn));
        Assert.True(p.Segments[2].Discontinuity);
        Assert.NotEqual(p.Segments[0].Map, p.Segments[2].Map);
        Assert.False(p.Segments[1].Discontinuity);
    }

    /// <summary>
    /// A waiting request's watcher polls the store every half part, so a nudge the bus lost delays the answer by at
    /// most one poll. The watcher's clock is fake: the poll fires when the test advances it, never by the machine's
    /// speed.
    /// </summary>
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_lost_bus_nudge_is_covered_by_polling_within_one_part(string backendName)
    {
        IStateBackend backend = await Backends.CreateAsync(backendName, redis);
        await using var _ = backend;
        var options = new HlsOptions
        {
            PartTarget = TimeSpan.FromMilliseconds(200),
            SegmentTarget = TimeSpan.FromMilliseconds(600),
        };
        string stream = $"room-{Guid.NewGuid():N}";
        // A writer whose bus drops every message: only the store shows the new part.
        var silent = new SilentBusBackend(backend);
        var publisher = new SyntheticPublisher(stream, silent, options);
        await publisher.InitAsync();
        await publisher.PartAsync();

        var time = new FakeTimeProvider();
        TimeSpan poll = options.PartTarget / 2;
        await using var watcher = new HlsStreamWatcher(
            stream,
            silent.Store,
            silent.Bus,
            new HlsKeys(HlsServingOptions.DefaultKeyPrefix),
            poll,
            time,
            NullLogger.Instance
        );
        await watcher.StartAsync();
        int partsBefore = watcher.Current!.Open!.Parts!.Count;

        // WaitAsync has set its poll timer by the time it returns its task: nothing else is pending on the fake clock.
        Task<PlaylistDocument?> waiting = watcher.WaitAsync(
            d => d.Open?.Parts?.Count > partsBefore,
            TimeSpan.FromSeconds(30),
            CancellationToken.None
        );
        await publisher.PartAsync();
        Assert.False(waiting.IsCompleted, "without a nudge nothing but the poll can show the new part");

        time.Advance(poll);
        PlaylistDocument? document = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(document);
        Assert.Equal(partsBefore + 1, document.Open!.Parts!.Count);
    }

    private sealed class SilentBusBackend(IStateBackend inner) : IStateBackend, IMessageBus
    {
        public IStateStore Store => inner.Store;
        public IMessageBus Bus => this;
        public string Name => inner.Name;
        public event Action? Reconnected
        {
            add { }
            remove { }
        }

        public Task<long> PublishAsync(string channel, string message) => Task.FromResult(0L);

        public Task<IAsyncDisposable> SubscribeAsync(string channel, Func<string, Task> handler) =>
            inner.Bus.SubscribeAsync(channel, handler);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
