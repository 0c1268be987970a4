using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using MobZ.Signaling.Abstractions;

namespace MobZ.LocalStack.Tests.Gateway;

/// <summary>
/// A WebSocket integration for tests. It records every event, and acts on a few commands:
/// $connect with ?reject=NNN answers NNN; $connect always tries to write to its own connection and records the
/// result; {"action":"echo"} sends the body back; {"action":"block"} waits for <see cref="Gate"/>;
/// {"action":"throw"} throws.
/// </summary>
public sealed class RecordingHandler : IWebSocketHandler
{
    private readonly Func<IConnectionSender> _sender;

    public RecordingHandler(Func<IConnectionSender> sender) => _sender = sender;

    public ConcurrentQueue<WebSocketEvent> Events { get; } = new();
    public ConcurrentDictionary<string, SendStatus> SendDuringConnect { get; } = new();
    public TaskCompletionSource Gate { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public ConcurrentQueue<string> Handling { get; } = new();

    public void ResetGate() => Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public IEnumerable<WebSocketEvent> For(string connectionId) =>
        Events.Where(e => e.RequestContext.ConnectionId == connectionId);

    public async Task<ProxyResponse> HandleAsync(WebSocketEvent evt, CancellationToken cancellationToken)
    {
        var context = evt.RequestContext;
        if (context.EventType == EventTypes.Connect)
        {
            SendDuringConnect[context.ConnectionId] = await _sender()
                .SendAsync(context.ConnectionId, "early"u8.ToArray(), cancellationToken);
            Events.Enqueue(evt);
            if (evt.QueryStringParameters?.TryGetValue("reject", out var status) == true)
            {
                return ProxyResponse.Status(
                    int.Parse(status, System.Globalization.CultureInfo.InvariantCulture),
                    "{\"message\":\"rejected\"}"
                );
            }

            if (evt.QueryStringParameters?.TryGetValue("protocol", out var protocol) == true)
            {
                return new ProxyResponse
                {
                    StatusCode = 200,
                    Headers = new Dictionary<string, string> { ["Sec-WebSocket-Protocol"] = protocol },
                };
            }

            return ProxyResponse.Ok();
        }

        Handling.Enqueue(context.ConnectionId + ":start:" + evt.Body);
        switch (context.RouteKey)
        {
            case "echo":
                await _sender().SendAsync(context.ConnectionId, Encoding.UTF8.GetBytes(evt.Body!), cancellationToken);
                break;
            case "block":
                await Gate.Task.WaitAsync(cancellationToken);
                break;
            case "throw":
                throw new InvalidOperationException("handler failure for the test");
        }
        Events.Enqueue(evt);
        Handling.Enqueue(context.ConnectionId + ":end:" + evt.Body);
        return ProxyResponse.Ok();
    }

    public static string Seq(WebSocketEvent evt) =>
        JsonDocument
            .Parse(evt.Body!)
            .RootElement.GetProperty("seq")
            .GetInt32()
            .ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>An HTTP API integration that records the event and answers 201 with a base64 body and a header.</summary>
public sealed class RecordingHttpHandler : IHttpHandler
{
    public ConcurrentQueue<HttpApiEvent> Events { get; } = new();

    public Task<ProxyResponse> HandleAsync(HttpApiEvent evt, CancellationToken cancellationToken)
    {
        Events.Enqueue(evt);
        if (evt.RawPath.EndsWith("/fail", StringComparison.Ordinal))
            throw new InvalidOperationException("handler failure for the test");
        return Task.FromResult(
            new ProxyResponse
            {
                StatusCode = 201,
                Headers = new Dictionary<string, string>
                {
                    ["x-mobz-test"] = "yes",
                    ["content-type"] = "application/octet-stream",
                },
                Body = Convert.ToBase64String([0, 1, 2, 255]),
                IsBase64Encoded = true,
            }
        );
    }
}
