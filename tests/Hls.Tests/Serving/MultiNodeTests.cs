using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MobZ.Hls.Tests.Fixtures;
using MobZ.State;
using MobZ.TestKit;
using MobZ.TestKit.Redis;
using MobZ.TestKit.Time;

namespace MobZ.Hls.Tests.Serving;

/// <summary>The packager writes on one node; another node, sharing only Redis, serves the viewers.</summary>
public sealed class MultiNodeTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task A_blocking_request_on_another_node_is_released_by_the_Redis_nudge_at_once()
    {
        string prefix = redis.NewKeyPrefix();
        await using IStateBackend publisherNode = await redis.CreateBackendAsync(prefix);
        await using IStateBackend viewerNode = await redis.CreateBackendAsync(prefix);
        static void Options(HlsOptions o) => o.PartTarget = TimeSpan.FromSeconds(1);
        // The viewer node's clock never moves: its fallback poll cannot fire, so only the nudge can release the
        // request.
        var time = new TimerCountingTimeProvider(DateTimeOffset.UtcNow);
        await using HlsTestServer server = await HlsTestServer.StartAsync(viewerNode, Options, s =>
            s.AddSingleton<TimeProvider>(time)
        );
        var options = new HlsOptions();
        Options(options);
        string stream = $"room-{Guid.NewGuid():N}";
        var publisher = new SyntheticPublisher(stream, publisherNode, options);
        await publisher.InitAsync();
        await publisher.PartAsync();

        // The viewer loads the playlist first, as players do; then it blocks for the next part.
        await server.Client.GetStringAsync($"/hls/{stream}/media.m3u8");
        await Eventually.WaitUntilAsync(
            async () => await redis.CommandAsync("PUBLISH", $"{prefix}hls:{stream}", "probe") == "1",
            TimeSpan.FromSeconds(10),
            "the viewer node subscribes to the stream's nudges"
        );
        int idle = time.LiveTimers;
        Task<HttpResponseMessage> blocked = server.Client.GetAsync($"/hls/{stream}/media.m3u8?_HLS_msn=0&_HLS_part=1");
        // Held: the viewer node armed its wait on its clock, which it does only when part 0.1 is not there.
        await Eventually.WaitUntilAsync(
            () => time.LiveTimers > idle || blocked.IsCompleted,
            TimeSpan.FromSeconds(30),
            "the request is held or answered"
        );
        Assert.False(blocked.IsCompleted, "part 0.1 does not exist yet");
        await publisher.PartAsync();
        using HttpResponseMessage response = await blocked.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("/0.1.m4s\"", await response.Content.ReadAsStringAsync());
        Assert.Equal(
            SyntheticPublisher.PartBytes(0, 1),
            await server.Client.GetByteArrayAsync(
                $"/hls/{stream}/{ParsedPlaylist.Parse(await server.Client.GetStringAsync($"/hls/{stream}/media.m3u8")).Segments[0].Parts[1].Uri}"
            )
        );
    }
}
