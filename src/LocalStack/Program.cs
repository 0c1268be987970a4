using Microsoft.AspNetCore.Builder;
using MobZ.LocalStack.Hosting;

// make run: the whole MobZ stack in one process (see docs/gateway.md).
return await LocalStackHost.RunAsync(new LocalStackOptions { Args = args, Capabilities = MobZCapabilities.Add });

/// <summary>
/// What `make run` mounts. Tests that want the full stack pass <c>MobZCapabilities.Add</c> to
/// <see cref="LocalStackHost.StartAsync"/>.
/// </summary>
public static class MobZCapabilities
{
    public static void Add(WebApplicationBuilder builder)
    {
        // Capabilities — one line each (WebSocket/HTTP APIs, demo pages, hosted services, endpoints); see docs/gateway.md.
        builder.AddCapability(s => MobZ.Hls.HlsServiceCollectionExtensions.AddHls(s), e => MobZ.Hls.HlsEndpointRouteBuilderExtensions.MapHls(e)).AddDemoPage("LL-HLS viewer", "/hls/index.html", "hls.js playing a p2m room's Low-Latency HLS stream, /hls/{room}/index.m3u8");
    }
}
