using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MobZ.Signaling.Abstractions;
using OpenTelemetry.Metrics;

namespace MobZ.LocalStack.Gateway;

public static class GatewayEndpointExtensions
{
    /// <summary>The gateway's services: the connection registry, the in-process <see cref="IConnectionSender"/>,
    /// quotas.</summary>
    public static IServiceCollection AddLocalGateway(this IServiceCollection services, GatewayOptions? options = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(options ?? new GatewayOptions());
        services.TryAddSingleton(sp => new GatewayMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<ConnectionRegistry>();
        services.TryAddSingleton<WebSocketGateway>();
        services.TryAddSingleton<IConnectionSender, LocalConnectionSender>();
        services.AddHostedService<ConnectionReaper>();
        services.TryAddSingleton(sp => new GatewayConnectionMetrics(
            sp.GetRequiredService<ConnectionRegistry>(),
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()
        ));
        services.ConfigureOpenTelemetryMeterProvider(m => m.AddMeter(GatewayConnectionMetrics.MeterName));
        return services;
    }

    /// <summary>
    /// Mounts every registered <see cref="WebSocketApiRegistration"/> and <see cref="HttpApiRegistration"/>, and the
    /// /{stage}/@connections API. Handlers are created here, once, when the host starts.
    /// </summary>
    public static WebApplication MapLocalGateway(this WebApplication app)
    {
        var gateway = app.Services.GetRequiredService<WebSocketGateway>();
        app.Services.GetRequiredService<GatewayConnectionMetrics>(); // its gauge exists from now on
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MobZ.LocalStack.Gateway");
        var stages = new HashSet<string>(StringComparer.Ordinal);
        var paths = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        foreach (var registration in app.Services.GetServices<WebSocketApiRegistration>())
        {
            var path = "/" + registration.Path.Trim('/');
            if (!paths.Add(path))
                throw new InvalidOperationException($"Two WebSocket APIs are mounted at {path}.");
            var api = new WebSocketApi(registration with { Path = path }, registration.CreateHandler(app.Services));
            stages.Add(api.Stage);
            app.Map(path, context => gateway.HandleAsync(context, api));
            logger.LogInformation(
                "WebSocket API {ApiId} at {Path}, route selection {Expression}, stage {Stage}",
                api.ApiId,
                path,
                registration.RouteSelectionExpression,
                api.Stage
            );
        }
        app.MapConnectionsApi(stages, gateway.Options);

        foreach (var registration in app.Services.GetServices<HttpApiRegistration>())
        {
            var prefix = "/" + registration.PathPrefix.Trim('/');
            var endpoint = new HttpApiEndpoint(
                registration,
                registration.CreateHandler(app.Services),
                gateway.Options,
                app.Services.GetRequiredService<TimeProvider>(),
                logger
            );
            var pattern = prefix == "/" ? "/{**proxy}" : prefix + "/{**proxy}";
            app.Map(pattern, endpoint.HandleAsync);
            if (prefix != "/")
                app.Map(prefix, endpoint.HandleAsync);
            logger.LogInformation("HTTP API at {Prefix} (route {RouteKey})", prefix, endpoint.RouteKey);
        }

        // Open sockets would hold the host's shutdown for its whole timeout; close them as AWS does on a deploy.
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            var closing = gateway
                .Connections.Snapshot()
                .Select(c =>
                    c.CloseAsync(WebSocketCloseStatus.EndpointUnavailable, "Going away", TimeSpan.FromSeconds(1))
                )
                .ToArray();
            try
            {
                Task.WaitAll(closing, TimeSpan.FromSeconds(2));
            }
            catch (AggregateException ex)
            {
                // A socket that was already aborting is closed either way; shutdown goes on.
                logger.LogDebug(ex, "Some connections ended while being closed for shutdown");
            }
        });
        return app;
    }
}
