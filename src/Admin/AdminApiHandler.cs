using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MobZ.Contracts;
using MobZ.PixelStreaming;
using MobZ.PixelStreaming.Api;
using MobZ.PixelStreaming.Matching;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Rooms.Admin;
using MobZ.Signaling.Rooms.State;

namespace MobZ.Admin;

/// <summary>
/// The admin REST API under /api/admin (docs/operations.md; listed in the OpenAPI document at /docs): rooms with
/// their members and stations, Munits with load and draining state, the Pixel Streaming queue and streamers;
/// drain / revive / stop a Munit, close a room, kick a member. Same API key as the Pixel Streaming REST API.
/// </summary>
public sealed class AdminApiHandler(RoomsAdmin rooms, PsOverview pixelStreaming, PixelStreamingOptions options)
    : IHttpHandler
{
    public const string Prefix = "/api/admin";

    public static readonly IReadOnlyList<ApiRoute> Routes =
    [
        new("GET", "/api/admin/rooms"),
        new("DELETE", "/api/admin/rooms/{roomId}"),
        new("DELETE", "/api/admin/rooms/{roomId}/members/{connectionId}"),
        new("GET", "/api/admin/munits"),
        new("POST", "/api/admin/munits/{munitId}/drain"),
        new("POST", "/api/admin/munits/{munitId}/revive"),
        new("POST", "/api/admin/munits/{munitId}/stop"),
        new("GET", "/api/admin/pixelstreaming"),
        new("GET", KeyHintPath),
    ];

    /// <summary>Answered without a key: which header carries it, and the development key when that is the one in
    /// use.</summary>
    public const string KeyHintPath = "/api/admin/key-hint";

    public async Task<ProxyResponse> HandleAsync(HttpApiEvent evt, CancellationToken cancellationToken)
    {
        if (
            evt.RawPath.TrimEnd('/') == KeyHintPath
            && evt.RequestContext.Http.Method.Equals("GET", StringComparison.OrdinalIgnoreCase)
        )
        {
            return Json(
                200,
                new KeyHint(options.Api.ApiKeyHeader, options.Api.IsDevelopmentKey ? options.Api.ApiKey : null),
                AdminJsonContext.Default.KeyHint
            );
        }

        if (!ApiKeyCheck.IsValid(options.Api, evt.Headers))
            return Error(401, $"missing or wrong API key in header '{options.Api.ApiKeyHeader}'");
        var method = evt.RequestContext.Http.Method.ToUpperInvariant();
        // after "", "api", "admin"
        var segments = evt.RawPath.TrimEnd('/').Split('/').Skip(3).Select(Uri.UnescapeDataString).ToArray();

        switch (method, segments)
        {
            case ("GET", ["rooms"]):
                return Json(
                    200,
                    new RoomList(await rooms.ListRoomsAsync(cancellationToken)),
                    AdminJsonContext.Default.RoomList
                );
            case ("DELETE", ["rooms", var roomId]):
                if (!RoomIds.IsValid(roomId))
                    return Error(400, "roomId is not a valid room id");
                return await rooms.CloseRoomAsync(roomId, cancellationToken) is { } removed
                    ? Json(200, new RoomClosed(roomId, removed), AdminJsonContext.Default.RoomClosed)
                    : Error(404, $"room {roomId} not found");
            case ("DELETE", ["rooms", var roomId, "members", var connectionId]):
                if (!RoomIds.IsValid(roomId))
                    return Error(400, "roomId is not a valid room id");
                return await rooms.KickAsync(roomId, connectionId, cancellationToken)
                    ? ProxyResponse.Status(204)
                    : Error(404, $"connection {connectionId} is not in room {roomId}");
            case ("GET", ["munits"]):
                return Json(200, new MunitList(await rooms.ListMunitsAsync()), AdminJsonContext.Default.MunitList);
            case ("POST", ["munits", var munitId, var order]) when Order(order) is { } signal:
                if (evt.QueryStringParameters?.GetValueOrDefault(DeadlineParameter) is { } deadlineText)
                {
                    if (signal is not DrainSignal)
                        return Error(400, $"{DeadlineParameter} applies to drain only");
                    if (
                        !double.TryParse(
                            deadlineText,
                            System.Globalization.NumberStyles.Float,
                            System.Globalization.CultureInfo.InvariantCulture,
                            out var deadline
                        ) || !DrainSignal.IsValidDeadline(deadline)
                    )
                    {
                        return Error(
                            400,
                            $"{DeadlineParameter} must be a number of seconds from 0 to {DrainSignal.MaxDeadlineSeconds}"
                        );
                    }

                    signal = new DrainSignal { DeadlineSeconds = deadline };
                }
                return await rooms.OrderAsync(munitId, signal)
                    ? Json(202, new OrderSent(munitId, order), AdminJsonContext.Default.OrderSent)
                    : Error(404, $"Munit {munitId} is not registered");
            case ("GET", ["pixelstreaming"]):
                return Json(200, await pixelStreaming.ReadAsync(), AdminJsonContext.Default.PsOverviewView);
        }
        return Routes.Any(r => RouteTemplate.Matches(r.Path, evt.RawPath.TrimEnd('/')))
            ? Error(405, "method not allowed")
            : Error(404, "not found");
    }

    /// <summary>
    /// <c>POST …/drain?deadlineSeconds=N</c>: after N seconds the stations still on the Munit are handed over to other
    /// Munits (their clients are told with StationMoved); without it a drain waits for the stations to end.
    /// </summary>
    public const string DeadlineParameter = "deadlineSeconds";

    private static MunitSignal? Order(string name) =>
        name switch
        {
            "drain" => new DrainSignal(),
            "revive" => new ReviveSignal(),
            "stop" => new StopSignal(),
            _ => null,
        };

    private static ProxyResponse Json<T>(int status, T value, JsonTypeInfo<T> type) =>
        new()
        {
            StatusCode = status,
            Body = JsonSerializer.Serialize(value, type),
            Headers = new Dictionary<string, string>
            {
                ["content-type"] = "application/json",
                ["cache-control"] = "no-store",
            },
        };

    private static ProxyResponse Error(int status, string message) =>
        Json(status, new AdminError(message), AdminJsonContext.Default.AdminError);
}
