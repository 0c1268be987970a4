using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.Aws.Credentials;

namespace MobZ.TestKit.Aws;

/// <summary>
/// Stands in for the API Gateway Management API (AWS itself cannot run here). It accepts only what AWS
/// documents: POST/GET/DELETE on /{stage}/@connections/{connectionId}, SigV4 with service execute-api in the
/// expected region, host and x-amz-date signed, the session token signed when the caller has one, a date within
/// five minutes — and it recomputes the signature from the raw request line and headers it received.
/// </summary>
public sealed class ManagementApiDouble : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly AwsCredentials _expectedCredentials;
    private readonly string _region;
    private readonly string _stage;

    public ConcurrentDictionary<string, ConcurrentQueue<byte[]>> Connections { get; } = new();

    /// <summary>Status codes to answer before handling normally (e.g. 429, 503), consumed in order.</summary>
    public ConcurrentQueue<int> ScriptedFailures { get; } = new();
    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();
    public Uri Endpoint { get; private set; } = null!;

    public sealed record ReceivedRequest(string Method, string RawTarget, int Status, string? Rejection);

    private ManagementApiDouble(WebApplication app, AwsCredentials credentials, string region, string stage)
    {
        _app = app;
        _expectedCredentials = credentials;
        _region = region;
        _stage = stage;
    }

    public static async Task<ManagementApiDouble> StartAsync(
        AwsCredentials credentials,
        string region = "eu-west-1",
        string stage = "prod"
    )
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new ManagementApiDouble(app, credentials, region, stage);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app
            .Services.GetRequiredService<IServer>()
            .Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.First();
        fake.Endpoint = new Uri($"{address}/{stage}");
        return fake;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();

        var rejection = Verify(context.Request, rawTarget, body, out var connectionId);
        int status;
        if (rejection is not null)
        {
            status = rejection.StartsWith("403", StringComparison.Ordinal) ? 403 : 404;
        }
        else if (ScriptedFailures.TryDequeue(out var scripted))
        {
            status = scripted;
        }
        else
        {
            status =
                Apply(context.Request.Method, connectionId!, body, out var responseBody) is var s
                && responseBody is not null
                    ? await WriteJson(context, s, responseBody)
                    : s;
        }

        Received.Enqueue(new ReceivedRequest(context.Request.Method, rawTarget, status, rejection));
        if (!context.Response.HasStarted)
        {
            context.Response.StatusCode = status;
            if (status == 410)
            {
                context.Response.Headers["x-amzn-ErrorType"] = "GoneException";
                await context.Response.WriteAsync("{\"message\":null}");
            }
            else if (status >= 400)
            {
                await context.Response.WriteAsync($"{{\"message\":\"{rejection ?? "error"}\"}}");
            }
        }
    }

    private static async Task<int> WriteJson(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
        return status;
    }

    private int Apply(string method, string connectionId, byte[] body, out string? responseBody)
    {
        responseBody = null;
        if (!Connections.TryGetValue(connectionId, out var inbox))
            return 410;
        switch (method)
        {
            case "POST":
                inbox.Enqueue(body);
                return 200;
            case "GET":
                responseBody =
                    """{"ConnectedAt":"2026-11-21T11:00:00.000Z","Identity":{"SourceIp":"192.0.2.7","UserAgent":"test-agent"},"LastActiveAt":"2026-11-21T11:05:00.000Z"}""";
                return 200;
            case "DELETE":
                Connections.TryRemove(connectionId, out _);
                return 204;
            default:
                return 405;
        }
    }

    /// <returns>null when the request is what AWS accepts, else "403 ..."/"404 ..." and why.</returns>
    private string? Verify(HttpRequest request, string rawTarget, byte[] body, out string? connectionId)
    {
        connectionId = null;
        var prefix = $"/{_stage}/@connections/";
        if (!rawTarget.StartsWith(prefix, StringComparison.Ordinal) || rawTarget.Contains('?'))
            return "404 path is not /{stage}/@connections/{id}";
        connectionId = Uri.UnescapeDataString(rawTarget[prefix.Length..]);
        if (connectionId.Length == 0 || connectionId.Contains('/'))
            return "404 no connection id";
        if (request.Method is not ("POST" or "GET" or "DELETE"))
            return "404 method";

        var rejection = SigV4Verifier.Verify(request, rawTarget, body, _expectedCredentials, _region, "execute-api");
        return rejection is null ? null : "403 " + rejection;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
