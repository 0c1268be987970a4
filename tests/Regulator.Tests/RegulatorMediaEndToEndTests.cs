using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Contracts;
using MobZ.Munit;
using MobZ.Munit.Control;
using MobZ.Munit.WebRtc;
using MobZ.State;
using MobZ.TestKit;
using MobZ.TestKit.Aiortc;
using MobZ.TestKit.Redis;
using Xunit.Abstractions;

namespace MobZ.Regulator.Tests;

/// <summary>
/// The production path, driven the way signaling drives it: Assign and media requests published on real Redis,
/// the Regulator relaying them to a real Munit (WebRTC on its UDP port), aiortc as publisher and viewer.
/// </summary>
[Trait("Category", "Interop")]
public sealed class RegulatorMediaEndToEndTests(RedisServer redis, ITestOutputHelper output)
    : IClassFixture<RedisServer>
{
    private const string Script = "Interop/aiortc_munit_peer.py";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Publish_and_watch_requests_over_Redis_connect_an_aiortc_publisher_to_an_aiortc_viewer()
    {
        await using var backend = await redis.CreateBackendAsync(redis.NewKeyPrefix());
        var options = new MunitOptions
        {
            MunitId = "munit-e2e",
            BindAddress = "127.0.0.1",
            Port = 0,
        };
        using var media = new WebRtcMedia(options);
        await using var munit = new MunitServer(options, media);
        await using var regulator = new Regulator(
            munit,
            backend.Store,
            backend.Bus,
            options.MunitId,
            "127.0.0.1",
            media.Port,
            100,
            RegulatorHarness.FastOptions,
            NullLogger<Regulator>.Instance
        );
        await regulator.StartAsync();

        await RegulatorHarness.PlaceStationAsync(backend, options.MunitId, "st-e2e");
        await Eventually.WaitUntilAsync(() => munit.HasStation("st-e2e"), Timeout, "the Assign created the station");

        using var publisher = new AiortcPeer(Script, "publisher", 40);
        using var viewer = new AiortcPeer(Script, "viewer", 25);
        var offer = (await publisher.ReadAsync("offer", Timeout)).GetString()!;
        var answer = await RequestAsync(
            backend,
            new MediaRequest("r1", "reply:r1", MediaOps.Publish, "st-e2e", "conn-pub") { Sdp = offer }
        );
        await publisher.SendAsync("answer", answer.Sdp!);

        var watch = await RequestAsync(
            backend,
            new MediaRequest("r2", "reply:r2", MediaOps.Watch, "st-e2e", "conn-viewer")
        );
        await viewer.SendAsync("offer", watch.Sdp!);
        var viewerAnswer = (await viewer.ReadAsync("answer", Timeout)).GetString()!;
        await RequestAsync(
            backend,
            new MediaRequest("r3", "reply:r3", MediaOps.Answer, "st-e2e", "conn-viewer") { Sdp = viewerAnswer }
        );

        var result = await viewer.ReadAsync("result", TimeSpan.FromSeconds(40));
        var stats = munit.FindStation("st-e2e")!.Media.GetStats();
        output.WriteLine(
            $"viewer {result}; station in {stats.PacketsIn}, out {stats.PacketsOut}, keyframe requests asked {stats.KeyFrameRequestsAsked} sent {stats.KeyFrameRequestsSent}"
        );
        Assert.True(result.GetProperty("videoFrames").GetInt32() >= 30, "the viewer decoded 30 frames");

        // The registration reports the load the Munit carries.
        await Eventually.WaitUntilAsync(
            async () =>
                await backend.Store.HashGetAsync(MunitKeys.Info(options.MunitId), MunitInfoFields.Subscribers) == "1",
            Timeout,
            "the registration counts the viewer"
        );
    }

    private static async Task<MediaResponse> RequestAsync(IStateBackend backend, MediaRequest request)
    {
        var answered = new TaskCompletionSource<MediaResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var sub = await backend.Bus.SubscribeAsync(request.ReplyTo, m =>
        {
            answered.TrySetResult(JsonSerializer.Deserialize(m, ContractsJsonContext.Default.MediaResponse)!);
            return Task.CompletedTask;
        });
        await RegulatorHarness.PublishAsync(backend, "munit-e2e", request);
        var response = await answered.Task.WaitAsync(Timeout);
        Assert.True(response.Ok, response.Error);
        return response;
    }
}
