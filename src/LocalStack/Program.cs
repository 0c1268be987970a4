using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using MobZ.Hls;
using MobZ.LocalStack.Hosting;
using MobZ.LocalStack.PixelStreaming;

// make run: the whole MobZ stack in one process (see docs/gateway.md).
return await LocalStackHost.RunAsync(new LocalStackOptions { Args = args, Capabilities = MobZCapabilities.Add });

/// <summary>
/// What `make run` mounts. Tests that want the full stack pass <c>MobZCapabilities.Add</c> to
/// <see cref="LocalStackHost.StartAsync"/>.
/// </summary>
public static class MobZCapabilities
{
    /// <summary>"--munit false" (or MOBZ_MUNIT=false): a signaling-only node that places stations on the Munits
    /// registered in the shared Redis (MunitHost tasks) instead of running one of its own.</summary>
    public static bool RunsMunit(IConfiguration configuration) =>
        !string.Equals(
            configuration["munit"] ?? Environment.GetEnvironmentVariable("MOBZ_MUNIT"),
            "false",
            StringComparison.OrdinalIgnoreCase
        );

    /// <summary>LL-HLS playback at /hls with its viewer page; playback tokens as <see cref="RequiresPlaybackToken"/>
    /// says.</summary>
    public static void AddHlsPlayback(WebApplicationBuilder builder)
    {
        bool requireToken = RequiresPlaybackToken(builder.Configuration);
        builder.AddCapability(s => s.AddHls(serving: o => o.RequirePlaybackToken = requireToken), e => e.MapHls());
        builder.AddDemoPage(
            "LL-HLS viewer",
            "/hls/index.html",
            "hls.js playing a p2m room's Low-Latency HLS stream (/hls/{room}/index.m3u8), with how far behind live it plays and which rendition"
        );
    }

    /// <summary>
    /// LL-HLS playback without a token is a development convenience of the local stack only (production hosts require
    /// one): "--Hls:RequirePlaybackToken true" (or Hls__RequirePlaybackToken=true) turns the check on here too.
    /// </summary>
    public static bool RequiresPlaybackToken(IConfiguration configuration) =>
        string.Equals(configuration["Hls:RequirePlaybackToken"], "true", StringComparison.OrdinalIgnoreCase);

    public static void Add(WebApplicationBuilder builder)
    {
        // Capabilities — one line each (WebSocket/HTTP APIs, demo pages, hosted services, endpoints); see
        // docs/gateway.md.
        // MobZ rooms (p2p/m2m/p2m) at /ws, heartbeat sweep; options "MobZ:Rooms" (docs/protocol.md)
        builder.Services.AddMobZRooms();
        builder.AddDemoPage(
            "Group chat",
            "/room/index.html",
            "a grid of named video tiles through the Munit SFU: mute and camera state, the simulcast layer and bitrate each tile receives, a layer picker per tile"
        );
        // Munit SFU on one UDP port + its Regulator (options "MobZ:Munit"); p2m stations feed the HLS packager
        // (docs/munit.md)
        if (RunsMunit(builder.Configuration))
        {
            builder.Services.AddMunit().AddRegulator().AddHlsStationTap();
        }
        AddHlsPlayback(builder); // LL-HLS at /hls (docs/hls.md), open unless --Hls:RequirePlaybackToken true
        // Pixel Streaming at /ps, REST API at /api and /docs, a local Chromium streamer (docs/pixel-streaming.md)
        builder.AddLocalPixelStreaming();
        builder.Services.AddMobZAdmin(); // the admin API at /api/admin
        builder.AddDemoPage(
            "Admin",
            "/admin/index.html",
            "rooms, Munits and the Pixel Streaming queue through the admin API (docs/operations.md)"
        );
    }
}
