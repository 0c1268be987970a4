using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.LocalStack.Hosting;
using MobZ.Signaling.Abstractions;

namespace MobZ.LocalStack.Tests.Hosting;

public sealed class MakeRunCapabilitiesTests
{
    [Fact]
    public async Task Make_run_mounts_rooms_at_ws_and_pixel_streaming_at_ps_and_every_handler_resolves()
    {
        // Built, not started: this resolves every mounted handler (MapLocalGateway creates them) without
        // launching the local streamer or binding media ports.
        await using var app = await LocalStackHost.BuildAsync(
            new LocalStackOptions
            {
                Urls = "http://127.0.0.1:0",
                Redis = "",
                MinimumLogLevel = LogLevel.Warning,
                Capabilities = MobZCapabilities.Add,
            }
        );

        var apis = app
            .Services.GetServices<WebSocketApiRegistration>()
            .ToDictionary(r => r.Path, r => r.RouteSelectionExpression);
        Assert.Equal("$request.body.action", apis["/ws"]);
        Assert.Equal("$request.body.type", apis["/ps"]);
        Assert.IsType<MobZ.LocalStack.Gateway.LocalConnectionSender>(
            app.Services.GetRequiredService<IConnectionSender>()
        );
    }

    [Fact]
    public async Task Munit_false_runs_signaling_only_with_no_Munit_or_Regulator_of_its_own()
    {
        await using var app = await LocalStackHost.BuildAsync(
            new LocalStackOptions
            {
                Args = ["--munit", "false"],
                Urls = "http://127.0.0.1:0",
                Redis = "",
                MinimumLogLevel = LogLevel.Warning,
                Capabilities = MobZCapabilities.Add,
            }
        );

        Assert.Null(app.Services.GetService<MobZ.Munit.Control.IMunit>());
        Assert.Null(app.Services.GetService<MobZ.Regulator.Regulator>());
        var apis = app.Services.GetServices<WebSocketApiRegistration>().Select(r => r.Path).ToList();
        Assert.Contains("/ws", apis);
    }

    [Fact]
    public async Task By_default_make_run_runs_its_own_Munit_and_Regulator()
    {
        await using var app = await LocalStackHost.BuildAsync(
            new LocalStackOptions
            {
                Urls = "http://127.0.0.1:0",
                Redis = "",
                MinimumLogLevel = LogLevel.Warning,
                Capabilities = MobZCapabilities.Add,
            }
        );

        Assert.NotNull(app.Services.GetService<MobZ.Munit.Control.IMunit>());
        Assert.NotNull(app.Services.GetService<MobZ.Regulator.Regulator>());
    }
}
