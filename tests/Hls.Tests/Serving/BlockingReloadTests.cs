using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MobZ.Hls.Serving;
using MobZ.Hls.Serving.Storage;
using MobZ.Hls.Tests.Fixtures;
using MobZ.State;
using MobZ.TestKit.Redis;
using MobZ.TestKit.Time;

namespace MobZ.Hls.Tests.Serving;

/// <summary>
/// Issue 12 (2): rfc8216bis §6.2.5.2 — a request for the part after a segment's last part is one for part 0
/// of the next segment and is held until that part exists; an answer is cached only as long as it means
/// what it says.
/// </summary>
public sealed class BlockingReloadTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static void Fast(HlsOptions o)
    {
        o.PartTarget = TimeSpan.FromMilliseconds(100);
        o.SegmentTarget = TimeSpan.FromMilliseconds(400); // TARGETDURATION 1
        o.PlaylistSegments = 10;
    }

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
        var options = new HlsOptions();
        Fast(options);
        return (backend, server, new SyntheticPublisher(stream, backend, options), stream);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task The_part_after_a_segments_last_is_held_until_part_zero_of_the_next_segment_exists(
        string backendName
    )
    {
        var time = new TimerCountingTimeProvider(DateTimeOffset.UtcNow);
        var (backend, server, publisher, stream) = await StartAsync(backendName, time);
        await using var _ = backend;
        await using var __ = server;
        await publisher.InitAsync();
        await publisher.SegmentsAsync(1, parts: 4); // segment 0 complete with parts 0..3, nothing of segment 1 yet
        await server.Client.GetStringAsync($"/hls/{stream}/media.m3u8"); // the player's first load
        int idle = time.LiveTimers;

        Task<HttpResponseMessage> blocked = server.Client.GetAsync($"/hls/{stream}/media.m3u8?_HLS_msn=0&_HLS_part=4");
        await HeldRequests.AssertHeldAsync(time, idle, blocked, "answered before part 1.0 existed");
        await publisher.PartAsync();

        using HttpResponseMessage response = await blocked.WaitAsync(HeldRequests.Deadline);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        ParsedPlaylist p = ParsedPlaylist.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains(p.Segments.Single(s => s.Msn == 1).Parts, part =>
            part.Uri.EndsWith("/1.0.m4s", StringComparison.Ordinal)
        );
        // The complete answer to a URL that names a future part never changes: a CDN may keep it.
        Assert.True(response.Headers.CacheControl!.MaxAge >= TimeSpan.FromSeconds(1));
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task A_blocking_request_released_by_the_end_of_the_stream_is_not_cached_as_if_it_were_final(
        string backendName
    )
    {
        var (backend, server, publisher, stream) = await StartAsync(backendName);
        await using var _ = backend;
        await using var __ = server;
        await publisher.InitAsync();
        await publisher.SegmentsAsync(1, parts: 4);
        await publisher.PartAsync();

        Task<HttpResponseMessage> blocked = server.Client.GetAsync($"/hls/{stream}/media.m3u8?_HLS_msn=1&_HLS_part=2");
        await publisher.EndAsync();

        using HttpResponseMessage response = await blocked;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(ParsedPlaylist.Parse(await response.Content.ReadAsStringAsync()).Ended);
        // The part it asked for never came; a publisher that reconnects continues this playlist.
        Assert.True(
            response.Headers.CacheControl!.NoStore || response.Headers.CacheControl.MaxAge <= TimeSpan.FromSeconds(1),
            $"Cache-Control: {response.Headers.CacheControl}"
        );

        using HttpResponseMessage plain = await server.Client.GetAsync($"/hls/{stream}/media.m3u8");
        Assert.True(
            plain.Headers.CacheControl!.MaxAge <= TimeSpan.FromSeconds(1),
            $"Cache-Control: {plain.Headers.CacheControl}"
        );
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Timeouts_and_refusals_are_never_cached(string backendName)
    {
        var (backend, server, publisher, stream) = await StartAsync(backendName);
        await using var _ = backend;
        await using var __ = server;
        await publisher.InitAsync();
        await publisher.PartAsync();

        using HttpResponseMessage unavailable = await server.Client.GetAsync(
            $"/hls/{stream}/media.m3u8?_HLS_msn=0&_HLS_part=1"
        );
        using HttpResponseMessage refused = await server.Client.GetAsync($"/hls/{stream}/media.m3u8?_HLS_msn=9");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.True(unavailable.Headers.CacheControl!.NoStore);
        Assert.True(refused.Headers.CacheControl!.NoStore);
    }

    /// <summary>Found by the hls-request fuzz harness (docs/fuzzing.md): p + 1 wrapped to int.MinValue, so the request
    /// was held instead of refused.</summary>
    [Fact]
    public void The_largest_part_index_in_the_next_segment_is_beyond_the_advance_limit()
    {
        var doc = new PlaylistDocument
        {
            TargetDuration = 1,
            PartTarget = 0.1,
            Session = "abcdef012345",
            NextMsn = 1,
        };
        doc.Segments.Add(
            new SegmentRecord
            {
                Msn = 0,
                Session = "abcdef012345",
                Parts = [new() { Duration = 0.1 }],
            }
        );

        Assert.True(HlsRequestHandler.IsBeyondAdvanceLimit(doc, 1, int.MaxValue));
        Assert.True(HlsRequestHandler.IsBeyondAdvanceLimit(doc, 0, int.MaxValue));
        Assert.False(HlsRequestHandler.IsBeyondAdvanceLimit(doc, 1, 0));
    }

    [Fact]
    public void A_part_index_past_the_last_part_of_a_segment_is_part_zero_of_the_next()
    {
        var doc = new PlaylistDocument
        {
            TargetDuration = 1,
            PartTarget = 0.1,
            Session = "abcdef012345",
            NextMsn = 1,
        };
        doc.Segments.Add(
            new SegmentRecord
            {
                Msn = 0,
                Session = "abcdef012345",
                Complete = true,
                Duration = 0.4,
                Parts =
                [
                    new() { Duration = 0.1 },
                    new() { Duration = 0.1 },
                    new() { Duration = 0.1 },
                    new() { Duration = 0.1 },
                ],
            }
        );

        Assert.True(doc.HasPart(0, 3));
        Assert.False(doc.HasPart(0, 4));
        Assert.False(doc.HasPart(0, 9));

        doc.Segments.Add(
            new SegmentRecord
            {
                Msn = 1,
                Session = "abcdef012345",
                Parts = [new() { Duration = 0.1 }],
            }
        );

        Assert.True(doc.HasPart(0, 4));
        Assert.True(doc.HasPart(1, 0));
        Assert.False(doc.HasPart(1, 1));
    }
}
