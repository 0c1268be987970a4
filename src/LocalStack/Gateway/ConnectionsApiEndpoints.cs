using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Aws.ApiGateway;

namespace MobZ.LocalStack.Gateway;

/// <summary>
/// The Management API over HTTP at <c>/{stage}/@connections/{connectionId}</c>, answering as AWS does:
/// POST 200 / 410 GoneException / 413 PayloadTooLargeException, GET 200 {ConnectedAt, Identity, LastActiveAt} / 410,
/// DELETE 204 / 410, and 403 ForbiddenException for a stage no mounted API uses. Only loopback callers that
/// present the per-process secret (<see cref="GatewayOptions.ConnectionsSecretHeader"/>) get past 403: a browser
/// page could otherwise post a forged message (text/plain needs no CORS preflight) into a member's socket.
/// </summary>
public static class ConnectionsApiEndpoints
{
    public static void MapConnectionsApi(
        this IEndpointRouteBuilder endpoints,
        IReadOnlySet<string> stages,
        GatewayOptions options
    )
    {
        const string pattern = "/{stage}/@connections/{connectionId}";
        var secret = Encoding.UTF8.GetBytes(options.ConnectionsApiSecret);
        endpoints.MapPost(pattern, (HttpContext context, string stage, string connectionId, IConnectionSender sender) =>
            WithStage(context, secret, stages, stage, () => PostAsync(context, connectionId, sender))
        );
        endpoints.MapGet(pattern, (HttpContext context, string stage, string connectionId, IConnectionSender sender) =>
            WithStage(context, secret, stages, stage, () => GetAsync(connectionId, sender))
        );
        endpoints.MapDelete(
            pattern,
            (HttpContext context, string stage, string connectionId, IConnectionSender sender) =>
                WithStage(context, secret, stages, stage, async () =>
                    await sender.DeleteConnectionAsync(connectionId) ? Results.NoContent() : Gone()
                )
        );
    }

    private static Task<IResult> WithStage(
        HttpContext context,
        byte[] secret,
        IReadOnlySet<string> stages,
        string stage,
        Func<Task<IResult>> handle
    ) =>
        IsTrustedCaller(context, secret) && stages.Contains(stage)
            ? handle()
            : Task.FromResult(Error(StatusCodes.Status403Forbidden, "ForbiddenException", "Forbidden"));

    private static bool IsTrustedCaller(HttpContext context, byte[] secret)
    {
        if (context.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote))
            return false;
        var presented = Encoding.UTF8.GetBytes(
            context.Request.Headers[GatewayOptions.ConnectionsSecretHeader].ToString()
        );
        return CryptographicOperations.FixedTimeEquals(presented, secret);
    }

    private static async Task<IResult> PostAsync(HttpContext context, string connectionId, IConnectionSender sender)
    {
        // Read at most one byte past the limit: enough to know the payload is too large without buffering it all.
        var buffer = new byte[IConnectionSender.MaxPayloadBytes + 1];
        var filled = 0;
        int read;
        while (
            filled < buffer.Length
            && (read = await context.Request.Body.ReadAsync(buffer.AsMemory(filled), context.RequestAborted)) > 0
        )
        {
            filled += read;
        }

        if (filled > IConnectionSender.MaxPayloadBytes)
            return Error(StatusCodes.Status413PayloadTooLarge, "PayloadTooLargeException", "Request entity too large");
        return await sender.SendAsync(connectionId, buffer.AsMemory(0, filled), context.RequestAborted) switch
        {
            SendStatus.Sent => Results.Ok(),
            SendStatus.Gone => Gone(),
            SendStatus.TooLarge => Error(
                StatusCodes.Status413PayloadTooLarge,
                "PayloadTooLargeException",
                "Request entity too large"
            ),
            _ => Error(
                StatusCodes.Status500InternalServerError,
                "InternalServerErrorException",
                "Internal server error"
            ),
        };
    }

    private static async Task<IResult> GetAsync(string connectionId, IConnectionSender sender)
    {
        var info = await sender.GetConnectionAsync(connectionId);
        if (info is null)
            return Gone();
        var body = new GetConnectionResponse(
            info.ConnectedAt,
            new GetConnectionIdentity(info.SourceIp, info.UserAgent),
            info.LastActiveAt
        );
        return Results.Text(
            JsonSerializer.Serialize(body, ApiGatewayJsonContext.Default.GetConnectionResponse),
            "application/json"
        );
    }

    private static IResult Gone() => Error(StatusCodes.Status410Gone, "GoneException", null);

    private static IResult Error(int status, string errorType, string? message) =>
        new ApiGatewayErrorResult(status, errorType, message);

    private sealed class ApiGatewayErrorResult(int status, string errorType, string? message) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = "application/json";
            httpContext.Response.Headers["x-amzn-ErrorType"] = errorType;
            return httpContext.Response.WriteAsync(
                JsonSerializer.Serialize(new ApiGatewayError(message), ApiGatewayJsonContext.Default.ApiGatewayError)
            );
        }
    }
}
