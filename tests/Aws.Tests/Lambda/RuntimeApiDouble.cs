using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MobZ.Aws.Tests.Lambda;

/// <summary>
/// Stands in for the Lambda Runtime API (2018-06-01) as AWS documents it: GET invocation/next blocks until an
/// event is queued and answers with Lambda-Runtime-Aws-Request-Id / -Deadline-Ms / -Invoked-Function-Arn /
/// -Trace-Id; POST invocation/{id}/response and /error are accepted (202) once per delivered id, an error body
/// must be JSON with string errorMessage and errorType; POST init/error is accepted only before the first next.
/// </summary>
public sealed class RuntimeApiDouble : IAsyncDisposable
{
    public const string FunctionArn = "arn:aws:lambda:eu-west-1:123456789012:function:mobz-rooms";

    private readonly WebApplication _app;
    private readonly Channel<(string Id, DateTimeOffset Deadline, string TraceId, byte[] Body)> _queue =
        Channel.CreateUnbounded<(string, DateTimeOffset, string, byte[])>();
    private readonly ConcurrentDictionary<string, bool> _outstanding = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Outcome>> _outcomes = new();
    private int _nextCalls;

    public sealed record Outcome(string Kind, string Body, string? ErrorTypeHeader, string? ContentType);

    public string RuntimeApi { get; private set; } = "";
    public int NextCalls => Volatile.Read(ref _nextCalls);
    public TaskCompletionSource<Outcome> InitError { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public ConcurrentQueue<string> Violations { get; } = new();

    /// <summary>When set, invocation/next answers 500 (the Runtime API's "container error").</summary>
    public volatile bool FailNext;

    private RuntimeApiDouble(WebApplication app) => _app = app;

    public static async Task<RuntimeApiDouble> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var api = new RuntimeApiDouble(app);
        app.MapGet("/2018-06-01/runtime/invocation/next", api.NextAsync);
        app.MapPost("/2018-06-01/runtime/invocation/{id}/response", (HttpContext c, string id) =>
            api.CompleteAsync(c, id, "response")
        );
        app.MapPost("/2018-06-01/runtime/invocation/{id}/error", (HttpContext c, string id) =>
            api.CompleteAsync(c, id, "error")
        );
        app.MapPost("/2018-06-01/runtime/init/error", (Func<HttpContext, Task<IResult>>)api.InitErrorAsync);
        await app.StartAsync();
        var address = new Uri(
            app.Services.GetRequiredService<IServer>()
                .Features.GetRequiredFeature<IServerAddressesFeature>()
                .Addresses.First()
        );
        api.RuntimeApi = $"{address.Host}:{address.Port}";
        return api;
    }

    /// <returns>The request id of the queued invocation.</returns>
    public string Enqueue(string eventJson, TimeSpan? timeout = null, string? traceId = null)
    {
        var id = Guid.NewGuid().ToString();
        _outcomes[id] = new TaskCompletionSource<Outcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Writer.TryWrite(
            (
                id,
                DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(30)),
                traceId
                    ?? $"Root=1-{DateTimeOffset.UtcNow.ToUnixTimeSeconds():x8}-{Guid.NewGuid():N}"[..47] + ";Sampled=0",
                System.Text.Encoding.UTF8.GetBytes(eventJson)
            )
        );
        return id;
    }

    /// <summary>What the function posted for the invocation; a generous default wait, as a child process's cold
    /// start on a busy machine can take seconds.</summary>
    public Task<Outcome> OutcomeAsync(string requestId, TimeSpan? wait = null) =>
        _outcomes[requestId].Task.WaitAsync(wait ?? TimeSpan.FromSeconds(30));

    private async Task NextAsync(HttpContext context)
    {
        Interlocked.Increment(ref _nextCalls);
        if (FailNext)
        {
            context.Response.StatusCode = 500;
            await context.Response.WriteAsJsonAsync(
                new { errorMessage = "container error", errorType = "Runtime.ContainerError" }
            );
            return;
        }
        var (id, deadline, traceId, body) = await _queue.Reader.ReadAsync(context.RequestAborted);
        _outstanding[id] = true;
        context.Response.Headers["Lambda-Runtime-Aws-Request-Id"] = id;
        context.Response.Headers["Lambda-Runtime-Deadline-Ms"] = deadline
            .ToUnixTimeMilliseconds()
            .ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = FunctionArn;
        context.Response.Headers["Lambda-Runtime-Trace-Id"] = traceId;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(body);
    }

    private async Task<IResult> CompleteAsync(HttpContext context, string id, string kind)
    {
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        if (!_outstanding.TryRemove(id, out _))
        {
            Violations.Enqueue($"{kind} for unknown or already answered request {id}");
            return Results.Json(
                new { errorMessage = "Invalid request ID", errorType = "InvalidRequestID" },
                statusCode: 400
            );
        }
        if (kind == "error" && !IsErrorDocument(body))
        {
            Violations.Enqueue($"error body for {id} is not {{errorMessage, errorType}}: {body}");
            return Results.Json(
                new { errorMessage = "Invalid error body", errorType = "InvalidRequest" },
                statusCode: 400
            );
        }
        _outcomes[id]
            .TrySetResult(
                new Outcome(
                    kind,
                    body,
                    context.Request.Headers["Lambda-Runtime-Function-Error-Type"].FirstOrDefault(),
                    context.Request.ContentType
                )
            );
        return Results.Json(new { status = "OK" }, statusCode: 202);
    }

    private async Task<IResult> InitErrorAsync(HttpContext context)
    {
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        if (NextCalls > 0)
        {
            Violations.Enqueue("init/error after the first invocation/next");
            return Results.Json(
                new { errorMessage = "State transition is invalid", errorType = "InvalidStateTransition" },
                statusCode: 403
            );
        }
        if (!IsErrorDocument(body))
            Violations.Enqueue($"init error body is not {{errorMessage, errorType}}: {body}");
        InitError.TrySetResult(
            new Outcome(
                "init",
                body,
                context.Request.Headers["Lambda-Runtime-Function-Error-Type"].FirstOrDefault(),
                context.Request.ContentType
            )
        );
        return Results.Json(new { status = "OK" }, statusCode: 202);
    }

    private static bool IsErrorDocument(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("errorMessage", out var m)
                && m.ValueKind == JsonValueKind.String
                && doc.RootElement.TryGetProperty("errorType", out var t)
                && t.ValueKind == JsonValueKind.String;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
