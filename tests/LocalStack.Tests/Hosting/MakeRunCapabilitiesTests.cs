using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.LocalStack.Hosting;
using MobZ.Signaling;

namespace MobZ.LocalStack.Tests.Hosting;

public sealed class MakeRunCapabilitiesTests
{
    [Fact]
    public async Task Make_run_mounts_rooms_at_ws_and_pixel_streaming_at_ps_and_every_handler_resolves()
    {
        // Built, not started: this resolves every mounted handler (MapLocalGateway creates them) without
        // launching the local streamer or binding media ports.
        await using var app = await LocalStackHost.BuildAsync(new LocalStackOptions
        {
            Urls = "http://127.0.0.1:0",
            Redis = "",
            MinimumLogLevel = LogLevel.Warning,
            Capabilities = MobZCapabilities.Add,
        });

        var apis = app.Services.GetServices<WebSocketApiRegistration>().ToDictionary(r => r.Path, r => r.RouteSelectionExpression);
        Assert.Equal("$request.body.action", apis["/ws"]);
        Assert.Equal("$request.body.type", apis["/ps"]);
        Assert.IsType<MobZ.LocalStack.Gateway.LocalConnectionSender>(app.Services.GetRequiredService<IConnectionSender>());
    }
}
