using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MobZ.Aws.Credentials;
using MobZ.Aws.Lambda;
using MobZ.Aws.Logging;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Aws.ApiGateway;
using MobZ.Signaling.Aws.Lambda;
using MobZ.State;

namespace MobZ.Signaling.Lambda;

/// <summary>
/// Builds the function's services once per execution environment (the init phase): state backend from
/// MOBZ_REDIS, the @connections client signed with the function role's credentials, and the handlers of the
/// function MOBZ_HANDLER names. Any failure here is reported to /init/error by the bootstrap.
/// </summary>
public static class FunctionHost
{
    /// <summary>The rooms WebSocket API's @connections endpoint, for a function whose MOBZ_CONNECTIONS_ENDPOINT is
    /// another API's.</summary>
    public const string RoomsConnectionsEndpointVariable = "MOBZ_ROOMS_CONNECTIONS_ENDPOINT";

    public static async Task<(IHost Host, ILambdaInvocationHandler Handler)> StartAsync(
        string[] args,
        CancellationToken cancellationToken
    )
    {
        var name = Environment.GetEnvironmentVariable(FunctionCatalog.HandlerVariable);
        if (string.IsNullOrWhiteSpace(name) || !FunctionCatalog.Functions.TryGetValue(name, out var function))
        {
            throw new LambdaFunctionException(
                "Runtime.NoSuchHandler",
                $"{FunctionCatalog.HandlerVariable}='{name}' is not one of: {string.Join(", ", FunctionCatalog.Functions.Keys)}."
            );
        }

        var builder = Host.CreateApplicationBuilder(
            new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory }
        );
        builder.Logging.ClearProviders();
        builder.Logging.AddCloudWatchJsonConsole();

        var http = new HttpClient();
        var region = DefaultCredentialsProvider.RegionFromEnvironment();
        var configuredEndpoint = Environment.GetEnvironmentVariable(ManagementEndpointConnectionSender.EndpointVariable)
            is { Length: > 0 } e
            ? new Uri(e)
            : null;
        builder.Services.AddSingleton(http);
        builder.Services.AddSingleton(sp =>
            DefaultCredentialsProvider.Create(
                http,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("MobZ.Aws.Credentials")
            )
        );
        builder.Services.AddSingleton(sp => new ManagementEndpointConnectionSender(
            http,
            sp.GetRequiredService<IAwsCredentialsProvider>(),
            region,
            configuredEndpoint,
            sp.GetRequiredService<ILoggerFactory>()
        ));
        builder.Services.AddSingleton<IConnectionSender>(sp =>
            sp.GetRequiredService<ManagementEndpointConnectionSender>()
        );
        // A function answering HTTP routes that change rooms beside another API's (the "http" function: the admin API
        // next to Pixel Streaming's REST API) reaches room members through the rooms API's own endpoint.
        if (Environment.GetEnvironmentVariable(RoomsConnectionsEndpointVariable) is { Length: > 0 } rooms)
        {
            builder.Services.AddKeyedSingleton<IConnectionSender>(
                RoomsServiceCollectionExtensions.ConnectionsKey,
                (sp, _) =>
                    new ManagementEndpointConnectionSender(
                        http,
                        sp.GetRequiredService<IAwsCredentialsProvider>(),
                        region,
                        new Uri(rooms),
                        sp.GetRequiredService<ILoggerFactory>()
                    )
            );
        }

        var redis = builder.Configuration["MOBZ_REDIS"]
            ?? Environment.GetEnvironmentVariable(StateBackend.RedisEnvironmentVariable);
        var prefix = builder.Configuration["MOBZ_REDIS_PREFIX"];
        IStateBackend? backend = null;
        builder.Services.AddSingleton(_ => backend!);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IStateBackend>().Store);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IStateBackend>().Bus);
        function.AddServices(builder.Services);

        var host = builder.Build();
        var loggerFactory = host.Services.GetRequiredService<ILoggerFactory>();
        if (string.IsNullOrWhiteSpace(redis))
        {
            loggerFactory
                .CreateLogger(typeof(FunctionHost))
                .LogWarning("MOBZ_REDIS is not set: state is per execution environment (in-process) and not shared");
        }

        backend = await StateBackend
            .CreateAsync(redis, loggerFactory, prefix, host.Services.GetService<TimeProvider>() ?? TimeProvider.System)
            .ConfigureAwait(false);
        await host.StartAsync(cancellationToken).ConfigureAwait(false);

        var sender = host.Services.GetRequiredService<ManagementEndpointConnectionSender>();
        var dispatcher = new ApiGatewayEventDispatcher(
            function.WebSocket?.Invoke(host.Services),
            function.Http?.Invoke(host.Services)
        )
        {
            OnWebSocketEvent = sender.Observe,
            ScheduledHandler = function.Schedule?.Invoke(host.Services),
            // Pixel Streaming greets a connection right after its $connect completes (docs/pixel-streaming.md).
            AfterResponse = host.Services.GetService<MobZ.PixelStreaming.Signaling.BackgroundDeferredWork>()
                is { } deferred
                ? deferred.DrainAsync
                : null,
        };
        loggerFactory
            .CreateLogger(typeof(FunctionHost))
            .LogInformation(
                "Function {Function} ready ({Description}), state backend {Backend}",
                function.Name,
                function.Description,
                backend.Name
            );
        return (host, dispatcher);
    }
}
