using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MobZ.LocalStack.Hosting;
using MobZ.PixelStreaming;
using MobZ.PixelStreaming.Api;
using MobZ.PixelStreaming.Instances;
using MobZ.PixelStreaming.Signaling;

namespace MobZ.LocalStack.PixelStreaming;

public static class LocalPixelStreamingExtensions
{
    /// <summary>The development API key of the local stack when none is configured (the admin page is told
    /// it).</summary>
    public const string DevApiKey = "dev-api-key";

    /// <summary>
    /// Pixel Streaming as `make run` serves it: signalling at /ps, the REST API at /api with Swagger UI at /docs, the
    /// player page, and the local conveniences the library itself never turns on — the "local" instance provider
    /// (headless-Chromium streamers on this machine, one started at boot), and the API key <see cref="DevApiKey"/>
    /// when none is configured. Player tokens come from the stack's /dev/token (room "ps", grant join) while no
    /// MobZ:Access key is configured. <paramref name="configure"/> runs after configuration and environment.
    /// </summary>
    public static WebApplicationBuilder AddLocalPixelStreaming(
        this WebApplicationBuilder builder,
        Action<PixelStreamingOptions>? configure = null
    )
    {
        var services = builder.Services;
        services.AddPixelStreaming(o =>
        {
            configure?.Invoke(o);
            o.InstanceProvider ??= LocalInstanceProvider.ProviderName;
            if (string.IsNullOrEmpty(o.Api.ApiKey))
            {
                o.Api.ApiKey = DevApiKey;
                o.Api.IsDevelopmentKey = true;
            }
        });
        var streamer = new LocalStreamerOptions();
        builder.Configuration.GetSection(LocalStreamerOptions.SectionName).Bind(streamer);
        services.AddSingleton(streamer);
        services.AddSingleton<LocalStreamerLauncher>();
        services.AddKeyedSingleton<IInstanceProvider, LocalInstanceProvider>(LocalInstanceProvider.ProviderName);
        services.AddHostedService<LocalStreamerBoot>();
        return builder
            .AddWebSocketApi("/ps", "$request.body.type", sp => sp.GetRequiredService<PixelStreamingHandler>())
            .AddHttpApi("/api", sp => sp.GetRequiredService<PixelStreamingApiHandler>())
            .AddHttpApi("/docs", sp => sp.GetRequiredService<PixelStreamingApiHandler>())
            .AddDemoPage(
                "Pixel Streaming player",
                "/ps/index.html",
                "Epic's frontend library playing a local streamer, with your place in the queue while every streamer is busy; REST API docs at /docs"
            );
    }
}
