using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.Access;
using MobZ.LocalStack.Hosting;
using MobZ.PixelStreaming.Tests.Support;
using MobZ.TestKit.Redis;
using MobZ.TestKit.Repository;
using Xunit.Abstractions;

namespace MobZ.PixelStreaming.Tests;

/// <summary>
/// Protocol conformance against /ps on the local gateway, on both backends, driven from node by Epic's own
/// signalling client library (<c>@epicgames-ps/lib-pixelstreamingcommon-ue5.5</c>, installed from npm under
/// artifacts/): the phases of Epic's SS_Test plus every other message of protocol 1.3.0 a signalling server
/// handles, each server message checked by Epic's validator (Conformance/signalling-conformance.cjs).
/// </summary>
[Trait("Category", "Interop")]
public sealed class ConformanceTests(RedisServer redis, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    private static readonly NodeTool Tool = new(
        "ps-conformance",
        Repo.PathOf("tests", "PixelStreaming.Tests", "Conformance")
    );

    /// <summary>Every phase of the script, in order: the run must report each one as passed.</summary>
    private const int Phases = 10;

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Epic_signalling_library_passes_every_protocol_phase_against_ps(string backend)
    {
        await Tool.EnsureInstalledAsync();
        await using var stack = await LocalStackHost.StartAsync(
            new LocalStackOptions
            {
                Urls = "http://127.0.0.1:0",
                Redis = backend == Backends.Redis ? redis.Configuration : "",
                RedisKeyPrefix = backend == Backends.Redis ? redis.NewKeyPrefix() : null,
                Capabilities = b =>
                    b.AddCapability(s =>
                            s.AddMobZAccess(TestTokens.Configure)
                                .AddPixelStreaming(o =>
                                {
                                    o.DisableIpAllowList = true;
                                    o.Api.ApiKey = "test-key";
                                })
                        )
                        .AddWebSocketApi("/ps", "$request.body.type", sp =>
                            sp.GetRequiredService<Signaling.PixelStreamingHandler>()
                        ),
                PrintReadyLine = false,
                MinimumLogLevel = LogLevel.Warning,
            }
        );

        var ps = new UriBuilder(new Uri(stack.BaseUrl, "ps")) { Scheme = "ws" }
            .Uri
            .AbsoluteUri;
        var project = Uri.EscapeDataString("https://projects.example.test/conformance.uproject");
        var players = Enumerable
            .Range(1, 4)
            .Select(i => $"{ps}?type=player&token={TestTokens.Hs256($"conformance-{i}")}&projectUrl={project}");
        var config = System.Text.Json.JsonSerializer.Serialize(
            new Dictionary<string, object> { ["streamerUrl"] = ps, ["playerUrls"] = players.ToArray() }
        );

        var (exitCode, log) = await Tool.RunScriptAsync(
            "signalling-conformance.cjs",
            new Dictionary<string, string> { ["PS_CONFORMANCE"] = config },
            TimeSpan.FromMinutes(2)
        );
        output.WriteLine(log);

        Assert.True(exitCode == 0, $"conformance run failed ({exitCode}):\n{log}");
        Assert.Contains($"{Phases} passed, 0 failed", log);
    }
}
