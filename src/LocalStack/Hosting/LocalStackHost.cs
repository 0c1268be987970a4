using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using MobZ.Aws.Logging;
using MobZ.Hosting;
using MobZ.LocalStack.Gateway;
using MobZ.LocalStack.Logging;
using MobZ.State;

namespace MobZ.LocalStack.Hosting;

/// <summary>
/// Builds and runs the one process of <c>make run</c>: the API-Gateway-compatible WebSocket gateway with its
/// @connections API, the HTTP APIs, the demo site and whatever the capabilities add, on 127.0.0.1:8080 by default.
/// Tests start the same host in-process with <see cref="StartAsync"/>.
/// </summary>
public static class LocalStackHost
{
    public const int DefaultPort = 8080;
    public const string PortEnvironmentVariable = "MOBZ_PORT";
    public const string ReadyLinePrefix = "MobZ local stack ready: ";

    public static async Task<WebApplication> BuildAsync(LocalStackOptions options)
    {
        var builder = WebApplication.CreateBuilder(
            new WebApplicationOptions
            {
                Args = options.Args,
                ContentRootPath = AppContext.BaseDirectory,
                WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
            }
        );
        ConfigureUrls(builder, options);
        ConfigureLogging(builder, options.MinimumLogLevel, options.LogFormat);

        builder.Services.AddLocalGateway(WithConfiguredOrigins(options.Gateway, builder.Configuration));
        builder.Services.AddObservability(); // /metrics, /healthz, /readyz (docs/operations.md)
        // access tokens (MobZ:Access); without a key, a made-up one and GET /dev/token (docs/securing-rooms.md)
        builder.Services.AddDevelopmentAccess();
        builder.Services.AddSingleton<StateBackendHolder>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<StateBackendHolder>().Backend);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IStateBackend>().Store);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IStateBackend>().Bus);
        options.Capabilities?.Invoke(builder);

        var app = builder.Build();

        var redis = options.Redis
            ?? builder.Configuration["redis"]
            ?? Environment.GetEnvironmentVariable(StateBackend.RedisEnvironmentVariable);
        await app
            .Services.GetRequiredService<StateBackendHolder>()
            .InitializeAsync(
                redis,
                // MOBZ_REDIS_PREFIX as on the Lambdas and Munit tasks, e.g. "{mobz}:" on a Redis Cluster (state.md).
                options.RedisKeyPrefix
                    ?? builder.Configuration["redis-prefix"]
                    ?? Environment.GetEnvironmentVariable("MOBZ_REDIS_PREFIX"),
                app.Services.GetRequiredService<ILoggerFactory>(),
                app.Services.GetService<TimeProvider>() ?? TimeProvider.System
            )
            .ConfigureAwait(false);
        var backend = app.Services.GetRequiredService<IStateBackend>();
        app.Logger.LogInformation("State backend: {Backend}", backend.Name);
        var origins = app.Services.GetRequiredService<GatewayOptions>().AllowedOrigins;
        app.Logger.LogInformation(
            "Browser origins allowed on the WebSocket APIs: {Origins}",
            origins is null ? "the stack's own and loopback pages" : string.Join(", ", origins)
        );

        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.UseStaticFiles();
        app.MapGet("/", (HttpContext context) =>
            Results.Content(IndexPage.Render(context.RequestServices), "text/html; charset=utf-8")
        );
        app.MapLocalGateway();
        app.MapObservability();
        app.MapDevelopmentAccess();
        foreach (var mapping in app.Services.GetServices<EndpointMapping>())
            mapping.Map(app);
        return app;
    }

    /// <summary>Starts the host and returns once it listens; the base URL has the real port (":0" resolved).</summary>
    public static async Task<RunningLocalStack> StartAsync(
        LocalStackOptions options,
        CancellationToken cancellationToken = default
    )
    {
        var app = await BuildAsync(options).ConfigureAwait(false);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var baseUrl = BaseUrl(app);
        if (options.PrintReadyLine)
            Console.Out.WriteLine(ReadyLinePrefix + baseUrl.AbsoluteUri);
        app.Logger.LogInformation("Demo site at {Url}", baseUrl);
        return new RunningLocalStack(app, baseUrl);
    }

    /// <summary>The <c>make run</c> entry point: start, print the ready line, run until Ctrl+C.</summary>
    public static async Task<int> RunAsync(LocalStackOptions options)
    {
        RunningLocalStack running;
        try
        {
            running = await StartAsync(options).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await Console.Error.WriteLineAsync($"MobZ local stack failed to start: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        await running.App.WaitForShutdownAsync().ConfigureAwait(false);
        try
        {
            await running.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A component that fails to dispose must not turn Ctrl+C into a crash dump; say which one failed.
            await Console
                .Error.WriteLineAsync($"MobZ local stack stopped with an error while disposing: {ex}")
                .ConfigureAwait(false);
            return 1;
        }
        return 0;
    }

    /// <summary>The configuration key of the browser-origin allow-list (comma-separated, e.g. the environment variable
    /// <c>MobZ__Gateway__AllowedOrigins</c>), used when the options given in code set none.</summary>
    public const string AllowedOriginsKey = "MobZ:Gateway:AllowedOrigins";

    private static GatewayOptions WithConfiguredOrigins(GatewayOptions gateway, IConfiguration configuration)
    {
        if (gateway.AllowedOrigins is not null || configuration[AllowedOriginsKey] is not { } configured)
            return gateway;
        var origins = configured
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(o => o.TrimEnd('/'))
            .ToArray();
        return origins.Length == 0 ? gateway : gateway with { AllowedOrigins = origins };
    }

    private static void ConfigureUrls(WebApplicationBuilder builder, LocalStackOptions options)
    {
        if (options.Urls is not null)
        {
            builder.WebHost.UseUrls(options.Urls);
            return;
        }
        if (!string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
            return; // --urls or ASPNETCORE_URLS: respected as given.
        var port = builder.Configuration["port"] ?? Environment.GetEnvironmentVariable(PortEnvironmentVariable);
        var value =
            int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536
                ? p
                : DefaultPort;
        builder.WebHost.UseUrls($"http://127.0.0.1:{value}");
    }

    private static void ConfigureLogging(WebApplicationBuilder builder, LogLevel minimum, string? format)
    {
        builder.Logging.ClearProviders();
        if (string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddCloudWatchJsonConsole();
        }
        else
        {
            builder
                .Logging.AddConsole(o => o.FormatterName = PlainConsoleFormatter.FormatterName)
                .AddConsoleFormatter<PlainConsoleFormatter, SimpleConsoleFormatterOptions>(o =>
                {
                    o.IncludeScopes = true;
                    o.TimestampFormat = "HH:mm:ss.fff ";
                });
        }

        builder.Logging.SetMinimumLevel(minimum);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter(
            "Microsoft.Hosting.Lifetime",
            minimum > LogLevel.Information ? minimum : LogLevel.Information
        );
    }

    private static Uri BaseUrl(WebApplication app)
    {
        var address = app
            .Services.GetRequiredService<IServer>()
            .Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.First();
        var uri = new Uri(
            address
                .Replace("://+", "://127.0.0.1", StringComparison.Ordinal)
                .Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
                .Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal)
                .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
        );
        return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
    }
}
