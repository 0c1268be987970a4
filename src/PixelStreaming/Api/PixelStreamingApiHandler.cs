using System.Text.Json;
using Microsoft.Extensions.Logging;
using MobZ.PixelStreaming.Instances;
using MobZ.PixelStreaming.Matching;
using MobZ.PixelStreaming.Security;
using MobZ.PixelStreaming.Workers;
using MobZ.Signaling.Abstractions;
using MobZ.State;

namespace MobZ.PixelStreaming.Api;

/// <summary>One REST route: its method and path template as the OpenAPI document names it.</summary>
public sealed record ApiRoute(string Method, string Path);

/// <summary>
/// The Pixel Streaming REST API (an API Gateway HTTP API integration): instances, save-project,
/// generate-video, and the Swagger UI over its OpenAPI document. Every /api call needs the API key.
/// </summary>
public sealed class PixelStreamingApiHandler(
    PixelStreamingOptions options,
    InstanceService instances,
    IStateStore store,
    PsKeys keys,
    WorkerLocator workers,
    IStreamingWorkerClient workerClient,
    ILogger<PixelStreamingApiHandler> logger
) : IHttpHandler
{
    /// <summary>Every route this handler answers; the OpenAPI document lists exactly these.</summary>
    public static readonly IReadOnlyList<ApiRoute> Routes =
    [
        new("POST", "/api/instances"),
        new("GET", "/api/instances"),
        new("GET", "/api/instances/{instanceId}"),
        new("DELETE", "/api/instances/{instanceId}"),
        new("POST", "/api/save-project"),
        new("POST", "/api/generate-video"),
    ];

    public async Task<ProxyResponse> HandleAsync(HttpApiEvent evt, CancellationToken cancellationToken)
    {
        var method = evt.RequestContext.Http.Method.ToUpperInvariant();
        var path = evt.RawPath.TrimEnd('/');
        if (path.Length == 0)
            path = "/";

        if (path == "/docs" || path.StartsWith("/docs/", StringComparison.Ordinal))
            return method == "GET" ? SwaggerUi.Serve(path, evt.Headers) : Error(405, "method not allowed");
        if (!path.StartsWith("/api/", StringComparison.Ordinal))
            return Error(404, "not found");

        if (!HasValidKey(evt.Headers))
            return Error(401, $"missing or wrong API key in header '{options.Api.ApiKeyHeader}'");

        try
        {
            return (method, path) switch
            {
                ("POST", "/api/instances") => await CreateInstanceAsync(evt, cancellationToken),
                ("GET", "/api/instances") => await ListInstancesAsync(cancellationToken),
                ("GET", _) when path.StartsWith("/api/instances/", StringComparison.Ordinal) => await GetInstanceAsync(
                    path["/api/instances/".Length..],
                    cancellationToken
                ),
                ("DELETE", _) when path.StartsWith("/api/instances/", StringComparison.Ordinal) =>
                    await DeleteInstanceAsync(path["/api/instances/".Length..], cancellationToken),
                ("POST", "/api/save-project") => await SaveProjectAsync(evt, cancellationToken),
                ("POST", "/api/generate-video") => await GenerateVideoAsync(evt, cancellationToken),
                _ when Routes.Any(r => RouteTemplate.Matches(r.Path, path)) => Error(405, "method not allowed"),
                _ => Error(404, "not found"),
            };
        }
        catch (InstanceProviderException e) when (e.NotConfigured)
        {
            return Error(503, e.Message);
        }
        catch (InstanceProviderException e)
        {
            logger.LogError(e, "Instance provider failed");
            return Error(502, e.Message);
        }
    }

    /// <summary>
    /// 201 with the instance when it is reachable at once (local), else 202 with it starting and a Location the
    /// client polls: an ECS task can take minutes to get an address, API Gateway waits 29 s at most.
    /// </summary>
    private async Task<ProxyResponse> CreateInstanceAsync(HttpApiEvent evt, CancellationToken ct)
    {
        var body = RequestBody.Parse(evt.Body, evt.IsBase64Encoded, required: false, "instanceId");
        var requested = body.Id("instanceId");
        if (body.Error is not null)
            return Error(400, body.Error);
        InstanceRecord record;
        try
        {
            record = await instances.CreateAsync(requested, ct);
        }
        catch (InvalidOperationException e)
        {
            return Error(409, e.Message);
        }
        return record.Status switch
        {
            InstanceStatus.Running => Json(201, View(record), Location(record)),
            InstanceStatus.Starting => Json(202, View(record), Location(record)),
            _ => Error(502, $"instance {record.InstanceId} failed to start: {record.Error}"),
        };
    }

    private async Task<ProxyResponse> GetInstanceAsync(string instanceId, CancellationToken ct)
    {
        instanceId = Uri.UnescapeDataString(instanceId);
        if (!Identifiers.IsValid(instanceId))
            return Error(400, "instanceId is not a valid id");
        return await instances.GetAsync(instanceId, ct) is { } record
            ? Json(200, View(record))
            : Error(404, $"instance {instanceId} not found");
    }

    private async Task<ProxyResponse> ListInstancesAsync(CancellationToken ct)
    {
        var list = await instances.ListAsync(ct);
        return Json(200, new InstanceList(list.Select(View).ToArray()));
    }

    private async Task<ProxyResponse> DeleteInstanceAsync(string instanceId, CancellationToken ct)
    {
        instanceId = Uri.UnescapeDataString(instanceId);
        if (!Identifiers.IsValid(instanceId))
            return Error(400, "instanceId is not a valid id");
        return await instances.DeleteAsync(instanceId, ct)
            ? ProxyResponse.Status(204)
            : Error(404, $"instance {instanceId} not found");
    }

    private async Task<ProxyResponse> SaveProjectAsync(HttpApiEvent evt, CancellationToken ct)
    {
        var body = RequestBody.Parse(
            evt.Body,
            evt.IsBase64Encoded,
            required: true,
            "playerId",
            "instanceId",
            "projectUrl"
        );
        var playerId = body.Id("playerId");
        var instanceId = body.Id("instanceId");
        var projectUrl = body.AbsoluteUrl("projectUrl");
        body.ExactlyOne("playerId", "instanceId", playerId is not null, instanceId is not null);
        if (body.Error is not null)
            return Error(400, body.Error);

        var (worker, servedPlayer, failure) = await ResolveWorkerAsync(playerId, instanceId);
        if (failure is not null)
            return failure;
        return Passthrough(
            await workerClient.SaveProjectAsync(worker!, new SaveProjectRequest(servedPlayer, projectUrl), ct)
        );
    }

    private async Task<ProxyResponse> GenerateVideoAsync(HttpApiEvent evt, CancellationToken ct)
    {
        var body = RequestBody.Parse(
            evt.Body,
            evt.IsBase64Encoded,
            required: true,
            "playerId",
            "instanceId",
            "settings"
        );
        var playerId = body.Id("playerId");
        var instanceId = body.Id("instanceId");
        var settings = body.Object("settings");
        body.ExactlyOne("playerId", "instanceId", playerId is not null, instanceId is not null);
        if (body.Error is not null)
            return Error(400, body.Error);

        var (worker, servedPlayer, failure) = await ResolveWorkerAsync(playerId, instanceId);
        if (failure is not null)
            return failure;
        return Passthrough(
            await workerClient.GenerateVideoAsync(worker!, new GenerateVideoRequest(servedPlayer, settings), ct)
        );
    }

    /// <summary>The worker beside the streamer that serves a player, or beside an instance.</summary>
    private async Task<(Uri? Worker, string? PlayerId, ProxyResponse? Failure)> ResolveWorkerAsync(
        string? playerId,
        string? instanceId
    )
    {
        if (instanceId is not null)
        {
            var record = await instances.GetAsync(instanceId);
            if (record is null)
                return (null, null, Error(404, $"instance {instanceId} not found"));
            if (record.WorkerUrl is null)
            {
                return (
                    null,
                    null,
                    Error(
                        409,
                        $"instance {instanceId} is {InstanceRegistry.StatusText(record.Status)}, it has no worker yet"
                    )
                );
            }

            var served = await store.HashGetAsync(keys.Streamer(instanceId), PsFields.Player);
            return (record.WorkerUrl, served, null);
        }
        var streamerId = await store.HashGetAsync(keys.Player(playerId!), PsFields.Streamer);
        if (streamerId is null)
        {
            return await store.ExistsAsync(keys.Player(playerId!))
                ? (null, null, Error(409, $"player {playerId} is not matched with a streamer"))
                : (null, null, Error(404, $"player {playerId} is not connected"));
        }
        var worker = await workers.WorkerOfStreamerAsync(streamerId);
        return worker is null
            ? (null, null, Error(409, $"streamer {streamerId} has no streaming worker"))
            : (worker, playerId, null);
    }

    private bool HasValidKey(IReadOnlyDictionary<string, string>? headers) => ApiKeyCheck.IsValid(options.Api, headers);

    private static InstanceView View(InstanceRecord r) =>
        new(
            r.InstanceId,
            InstanceRegistry.StatusText(r.Status),
            r.PublicIp,
            r.WorkerUrl?.AbsoluteUri,
            r.Provider,
            r.CreatedAt,
            r.Error
        );

    private static Dictionary<string, string> Location(InstanceRecord r) =>
        new() { ["location"] = "/api/instances/" + Uri.EscapeDataString(r.InstanceId) };

    private static ProxyResponse Passthrough(WorkerResponse r) =>
        new()
        {
            StatusCode = r.StatusCode,
            Body = string.IsNullOrEmpty(r.Body) ? null : r.Body,
            Headers = new Dictionary<string, string> { ["content-type"] = "application/json" },
        };

    private static ProxyResponse Json<T>(int status, T value, Dictionary<string, string>? headers = null)
    {
        headers ??= [];
        headers["content-type"] = "application/json";
        return new()
        {
            StatusCode = status,
            Body = JsonSerializer.Serialize(
                value,
                (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)ApiJsonContext.Default.GetTypeInfo(typeof(T))!
            ),
            Headers = headers,
        };
    }

    internal static ProxyResponse Error(int status, string message) => Json(status, new ApiError(message));
}
