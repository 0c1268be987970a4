using System.Net;
using System.Net.Sockets;
using MobZ.Infra.Tests.Support;
using Xunit.Abstractions;

namespace MobZ.Infra.Tests;

/// <summary>
/// docker/Dockerfile.localstack built by `scripts/images.sh localstack` with buildah on the same local base image as
/// the Munit image's, then run as the image says: the whole stack in one process answers /readyz and serves the demo
/// pages with the bundles the image built from web/ (Epic's frontend, hls.js). Budget=Long: the build (apt's Node.js
/// and Chromium, npm, the whole local host compiled) takes 8-14 minutes on two cores, more than `make test` can
/// spend, so scripts/test.sh leaves it to `make test-images`.
/// </summary>
[Trait("Category", "Interop")]
[Trait("Budget", "Long")]
[Collection(ImageCollection.Name)]
public sealed class LocalStackImageTests(ITestOutputHelper output)
{
    private const string Image = "localhost/mobz-local:test";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task The_local_stack_image_serves_the_demo_pages_and_readyz()
    {
        var took = await Buildah.BuildImageAsync("localstack", Image, TimeSpan.FromMinutes(25));
        output.WriteLine($"scripts/images.sh localstack: {took.TotalSeconds:F0} s");

        var config = await Buildah.ConfigAsync(Image);
        Assert.Equal(
            ["dotnet", "/app/MobZ.LocalStack.dll"],
            config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()!)
        );
        Assert.Equal("1654", config.GetProperty("User").GetString());

        int http = LoopbackPort.Free(SocketType.Stream, ProtocolType.Tcp),
            udp = LoopbackPort.Free(SocketType.Dgram, ProtocolType.Udp);
        await using var container = await BuildahContainer.StartAsync(
            Image,
            [
                $"ASPNETCORE_URLS=http://127.0.0.1:{http}",
                $"MobZ__Munit__Port={udp}",
                "MobZ__Munit__BindAddress=127.0.0.1",
                "MobZ__Munit__PublicAddress=127.0.0.1",
            ]
        );
        using var client = new HttpClient
        {
            BaseAddress = new Uri($"http://127.0.0.1:{http}"),
            Timeout = TimeSpan.FromSeconds(10),
        };
        await container.WaitForOkAsync(
            client,
            "/readyz",
            Timeout,
            "the local stack in the image answers /readyz with 200"
        );

        var index = await client.GetStringAsync("/");
        Assert.Contains("/room/index.html", index);
        foreach (var bundle in new[] { "/ps/player.js", "/ps/streamer.bundle.js", "/hls/hls.light.min.js" })
        {
            using var response = await client.GetAsync(bundle);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{bundle}: {response.StatusCode}\n{container.Log}");
            Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 1000, $"{bundle} is a built bundle");
        }
    }
}
