using Microsoft.Extensions.DependencyInjection;
using MobZ.PixelStreaming;
using MobZ.PixelStreaming.Api;
using MobZ.PixelStreaming.Signaling;
using MobZ.Signaling.Rooms;

namespace MobZ.Signaling.Lambda;

/// <summary>One deployable function: the services it needs and the handlers it answers WebSocket and HTTP API events with.</summary>
public sealed record FunctionDefinition(
    string Name,
    string Description,
    Action<IServiceCollection> AddServices,
    Func<IServiceProvider, IWebSocketHandler>? WebSocket,
    Func<IServiceProvider, IHttpHandler>? Http);

/// <summary>The functions this bootstrap can be, chosen by MOBZ_HANDLER.</summary>
public static class FunctionCatalog
{
    public const string HandlerVariable = "MOBZ_HANDLER";

    public static IReadOnlyDictionary<string, FunctionDefinition> Functions { get; } = new[]
    {
        new FunctionDefinition("rooms", "MobZ rooms WebSocket API (p2p, m2m, p2m)",
            services => services.AddMobZRooms(),
            sp => sp.GetRequiredService<RoomsWebSocketHandler>(), null),
        new FunctionDefinition("pixelstreaming", "Pixel Streaming signalling (WebSocket) and its REST API (HTTP API)",
            services => services.AddPixelStreaming(),
            sp => sp.GetRequiredService<PixelStreamingHandler>(), sp => sp.GetRequiredService<PixelStreamingApiHandler>()),
        new FunctionDefinition("pixelstreaming-api", "Pixel Streaming REST API only (HTTP API)",
            services => services.AddPixelStreaming(),
            null, sp => sp.GetRequiredService<PixelStreamingApiHandler>()),
    }.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
}
