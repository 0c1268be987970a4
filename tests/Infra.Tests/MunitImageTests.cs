using System.Net.Sockets;
using System.Text.Json;
using MobZ.Contracts;
using MobZ.Infra.Tests.Support;
using MobZ.State;
using MobZ.TestKit;
using MobZ.TestKit.Aiortc;
using MobZ.TestKit.Redis;
using Xunit.Abstractions;

namespace MobZ.Infra.Tests;

/// <summary>The image tests share one buildah storage and two cores: they run one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class ImageCollection
{
    public const string Name = "container images";
}

/// <summary>
/// docker/Dockerfile.munit built by `scripts/images.sh munit` with buildah (as `make images` builds it) on the locally
/// made .NET base image, then its entrypoint run as the image says (user, environment) against a throwaway
/// redis-server: it answers /healthz and /readyz, registers itself where signaling looks for Munits, and forwards an
/// aiortc publisher's call to an aiortc viewer that decodes it, driven over Redis the way signaling drives it.
/// </summary>
[Trait("Category", "Interop")]
[Collection(ImageCollection.Name)]
public sealed class MunitImageTests(ITestOutputHelper output)
{
    private const string Image = "localhost/mobz-munit:test";
    private const string Script = "Interop/aiortc_munit_peer.py";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task The_munit_image_registers_in_redis_and_forwards_an_aiortc_call()
    {
        var took = await Buildah.BuildImageAsync("munit", Image, TimeSpan.FromMinutes(25));
        output.WriteLine($"scripts/images.sh munit: {took.TotalSeconds:F0} s");

        var config = await Buildah.ConfigAsync(Image);
        Assert.Equal(
            ["dotnet", "/app/MobZ.MunitHost.dll"],
            config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()!)
        );
        Assert.Equal("1654", config.GetProperty("User").GetString());

        await using var redis = await RedisServer.StartPrivateAsync();
        var prefix = redis.NewKeyPrefix();
        await using var backend = await redis.CreateBackendAsync(prefix);
        var http = LoopbackPort.Free(SocketType.Stream, ProtocolType.Tcp);
        var udp = LoopbackPort.Free(SocketType.Dgram, ProtocolType.Udp);
        await using var container = await BuildahContainer.StartAsync(
            Image,
            [
                $"MOBZ_REDIS={redis.Configuration}",
                $"MOBZ_REDIS_PREFIX={prefix}",
                $"MUNIT_HTTP_PORT={http}",
                $"MUNIT_UDP_PORT={udp}",
                "MUNIT_PUBLIC_IP=127.0.0.1",
                "MUNIT_BIND_ADDRESS=127.0.0.1",
            ]
        );
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        var health = await container.WaitForOkAsync(
            client,
            $"http://127.0.0.1:{http}/healthz",
            Timeout,
            "the Munit in the image answers /healthz"
        );
        string munitId;
        using (var doc = JsonDocument.Parse(health))
        {
            munitId = doc.RootElement.GetProperty("munitId").GetString()!;
            Assert.False(doc.RootElement.GetProperty("draining").GetBoolean());
        }
        Assert.StartsWith("munit-", munitId);

        // Ready once registered: signaling can place stations on it.
        await container.WaitForOkAsync(
            client,
            $"http://127.0.0.1:{http}/readyz",
            Timeout,
            "the Munit in the image answers /readyz with 200"
        );

        // The registration signaling reads: in the registry, alive (with a TTL), its address and the port it listens
        // on.
        var store = backend.Store;
        Assert.NotNull(await store.SortedSetScoreAsync(MunitKeys.Registry, munitId));
        Assert.True(await store.ExistsAsync(MunitKeys.Alive(munitId)));
        Assert.True(await store.TimeToLiveAsync(MunitKeys.Alive(munitId)) > TimeSpan.Zero);
        var info = await store.HashGetAllAsync(MunitKeys.Info(munitId));
        Assert.Equal(munitId, info[MunitInfoFields.MunitId]);
        Assert.Equal("127.0.0.1", info[MunitInfoFields.Address]);
        Assert.Equal(udp.ToString(System.Globalization.CultureInfo.InvariantCulture), info[MunitInfoFields.Port]);
        Assert.Equal("false", info[MunitInfoFields.Draining]);

        // A station placed the way signaling places it (keys in one commit, then the Assign nudge), then one call.
        const string station = "st-image";
        Assert.True(
            await store
                .CreateTransaction()
                .HashSet(MunitKeys.Station(station), StationFields.Munit, munitId)
                .HashSet(MunitKeys.Station(station), StationFields.Room, "room-image")
                .HashSet(MunitKeys.Station(station), StationFields.Publisher, "pub-image")
                .HashSet(MunitKeys.Station(station), StationFields.RoomKind, "m2m")
                .HashSet(MunitKeys.Station(station), StationFields.Hls, "false")
                .SetAdd(MunitKeys.Stations(munitId), station)
                .ExecuteAsync()
        );
        await PublishAsync(backend, munitId, new AssignSignal(station, "room-image", "pub-image", "m2m", false));
        await Eventually.WaitUntilAsync(
            async () =>
            {
                container.ThrowIfExited();
                return await store.HashGetAsync(MunitKeys.Info(munitId), MunitInfoFields.Stations) == "1";
            },
            Timeout,
            "the Munit in the image runs the assigned station"
        );

        using var publisher = new AiortcPeer(Script, "publisher", 60);
        using var viewer = new AiortcPeer(Script, "viewer", 30);
        var offer = (await publisher.ReadAsync("offer", Timeout)).GetString()!;
        var answer = await RequestAsync(
            backend,
            munitId,
            new MediaRequest("r1", "reply:r1", MediaOps.Publish, station, "conn-pub") { Sdp = offer }
        );
        await publisher.SendAsync("answer", answer.Sdp!);
        var watch = await RequestAsync(
            backend,
            munitId,
            new MediaRequest("r2", "reply:r2", MediaOps.Watch, station, "conn-viewer")
        );
        await viewer.SendAsync("offer", watch.Sdp!);
        var viewerAnswer = (await viewer.ReadAsync("answer", Timeout)).GetString()!;
        await RequestAsync(
            backend,
            munitId,
            new MediaRequest("r3", "reply:r3", MediaOps.Answer, station, "conn-viewer") { Sdp = viewerAnswer }
        );

        var result = await viewer.ReadAsync("result", TimeSpan.FromMinutes(2));
        output.WriteLine($"viewer {result}");
        Assert.True(
            result.GetProperty("videoFrames").GetInt32() >= 30,
            $"the viewer decoded 30 frames: {result}\n{string.Join('\n', viewer.StandardError.TakeLast(15))}\n{container.Log}"
        );
        await Eventually.WaitUntilAsync(
            async () => await store.HashGetAsync(MunitKeys.Info(munitId), MunitInfoFields.Subscribers) == "1",
            Timeout,
            "the registration counts the viewer"
        );
    }

    private static Task<long> PublishAsync(IStateBackend backend, string munitId, MunitSignal signal) =>
        backend.Bus.PublishAsync(
            MunitKeys.Channel(munitId),
            JsonSerializer.Serialize(signal, ContractsJsonContext.Default.MunitSignal)
        );

    private static async Task<MediaResponse> RequestAsync(IStateBackend backend, string munitId, MediaRequest request)
    {
        var answered = new TaskCompletionSource<MediaResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var sub = await backend.Bus.SubscribeAsync(request.ReplyTo, m =>
        {
            answered.TrySetResult(JsonSerializer.Deserialize(m, ContractsJsonContext.Default.MediaResponse)!);
            return Task.CompletedTask;
        });
        await PublishAsync(backend, munitId, request);
        var response = await answered.Task.WaitAsync(Timeout);
        Assert.True(response.Ok, response.Error);
        return response;
    }
}
