using Microsoft.Extensions.DependencyInjection;
using MobZ.PixelStreaming;
using MobZ.PixelStreaming.Api;
using MobZ.PixelStreaming.Signaling;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Rooms;
using MobZ.Signaling.Rooms.Sweep;

namespace MobZ.Signaling.Lambda;

/// <summary>One deployable function: the services it needs and the handlers it answers WebSocket and HTTP API events
/// with.</summary>
public sealed record FunctionDefinition(
    string Name,
    string Description,
    Action<IServiceCollection> AddServices,
    Func<IServiceProvider, IWebSocketHandler>? WebSocket,
    Func<IServiceProvider, IHttpHandler>? Http,
    Func<IServiceProvider, Func<CancellationToken, Task>>? Schedule = null
);

/// <summary>The functions this bootstrap can be, chosen by MOBZ_HANDLER.</summary>
public static class FunctionCatalog
{
    public const string HandlerVariable = "MOBZ_HANDLER";

    public static IReadOnlyDictionary<string, FunctionDefinition> Functions { get; } =
        new[]
        {
            // The heartbeat sweep runs on the one-minute EventBridge schedule instead of a hosted timer: a frozen
            // execution environment runs no timers.
            new FunctionDefinition(
                "rooms",
                "MobZ rooms WebSocket API (p2p, m2m, p2m), WHIP ingest into p2m rooms (the HTTP API's /whip route) and the "
                    + "heartbeat sweep (EventBridge schedule)",
                services =>
                    services
                        .AddMobZRooms(o =>
                        {
                            o.RunSweepService = false;
                            o.RunMoveRelay = false;
                        })
                        .AddWhipIngest(),
                sp => sp.GetRequiredService<RoomsWebSocketHandler>(),
                // WHIP runs here, not in the "http" function: what it tells the room goes out through this function's
                // @connections endpoint, the rooms API's.
                sp => sp.GetRequiredService<MobZ.Signaling.Rooms.Whip.WhipHandler>(),
                sp => ct => sp.GetRequiredService<HeartbeatSweeper>().SweepAsync(ct)
            ),
            new FunctionDefinition(
                "pixelstreaming",
                "Pixel Streaming signalling (WebSocket) and its REST API (HTTP API)",
                services => services.AddPixelStreaming(),
                sp => sp.GetRequiredService<PixelStreamingHandler>(),
                sp => sp.GetRequiredService<PixelStreamingApiHandler>()
            ),
            // The admin API reads and changes rooms, so this function has the rooms services too (no sweep, no relay:
            // the rooms function and the Munit tasks run those).
            new FunctionDefinition(
                "http",
                "The HTTP API: Pixel Streaming REST (/api), the admin API (/api/admin) and their Swagger UI (/docs)",
                services =>
                    services
                        .AddPixelStreaming()
                        .AddMobZRooms(o =>
                        {
                            o.RunSweepService = false;
                            o.RunMoveRelay = false;
                        })
                        .AddMobZAdmin(),
                null,
                sp => new HttpPathRouter([
                    (MobZ.Admin.AdminApiHandler.Prefix, sp.GetRequiredService<MobZ.Admin.AdminApiHandler>()),
                    ("/api", sp.GetRequiredService<PixelStreamingApiHandler>()),
                    ("/docs", sp.GetRequiredService<PixelStreamingApiHandler>()),
                ])
            ),
        }.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
}
