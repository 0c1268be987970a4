using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Aws.Lambda;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Aws.Lambda;

namespace MobZ.Aws.Tests.Lambda;

public sealed class LambdaRuntimeLoopTests : IAsyncLifetime
{
    private const string WebSocketEventJson = """
        {"requestContext":{"routeKey":"join","eventType":"MESSAGE","extendedRequestId":"Mf1bMcRbIAMCJ1g=","requestTime":"21/Nov/2026:11:35:00 +0000",
        "messageDirection":"IN","stage":"prod","connectedAt":1795264500000,"requestTimeEpoch":1795264501000,"identity":{"sourceIp":"192.0.2.1"},
        "requestId":"Mf1bMcRbIAMCJ1g=","domainName":"abc123.execute-api.eu-west-1.amazonaws.com","connectionId":"L0SM9cOFvHcCIhw=",
        "apiId":"abc123","messageId":"Mf1bMdHHoAMCJ1g="},"body":"{\"action\":\"join\"}","isBase64Encoded":false}
        """;

    private const string HttpEventJson = """
        {"version":"2.0","routeKey":"POST /api/instances","rawPath":"/api/instances","rawQueryString":"","headers":{"content-type":"application/json"},
        "requestContext":{"accountId":"123456789012","apiId":"api1","domainName":"api1.execute-api.eu-west-1.amazonaws.com","requestId":"r1",
        "routeKey":"POST /api/instances","stage":"$default","timeEpoch":1795264501000,
        "http":{"method":"POST","path":"/api/instances","protocol":"HTTP/1.1","sourceIp":"192.0.2.1","userAgent":"curl"}},
        "body":"{}","isBase64Encoded":false}
        """;

    private RuntimeApiDouble _api = null!;
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly CancellationTokenSource _stop = new();
    private readonly TestWebSocketHandler _ws = new();
    private readonly TestHttpHandler _httpHandler = new();
    private Task<int>? _running;

    public async Task InitializeAsync() => _api = await RuntimeApiDouble.StartAsync();

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
            await _running.WaitAsync(TimeSpan.FromSeconds(10));
        _http.Dispose();
        await _api.DisposeAsync();
    }

    private void StartLoop() =>
        _running = LambdaBootstrap.RunAsync(
            new LambdaRuntimeClient(_http, _api.RuntimeApi),
            _ => Task.FromResult<ILambdaInvocationHandler>(new ApiGatewayEventDispatcher(_ws, _httpHandler)),
            NullLoggerFactory.Instance,
            _stop.Token
        );

    [Fact]
    public async Task WebSocket_event_is_dispatched_and_its_proxy_response_posted()
    {
        StartLoop();
        var id = _api.Enqueue(WebSocketEventJson, traceId: "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");

        var outcome = await _api.OutcomeAsync(id);

        Assert.Equal("response", outcome.Kind);
        using var json = JsonDocument.Parse(outcome.Body);
        Assert.Equal(200, json.RootElement.GetProperty("statusCode").GetInt32());
        Assert.Equal("joined", json.RootElement.GetProperty("body").GetString());
        var seen = Assert.Single(_ws.Seen);
        Assert.Equal("L0SM9cOFvHcCIhw=", seen.Event.RequestContext.ConnectionId);
        Assert.Equal("join", seen.Event.RequestContext.RouteKey);
        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", seen.TraceId);
        Assert.Empty(_api.Violations);
    }

    [Fact]
    public async Task Work_after_the_response_runs_once_it_is_posted_and_holds_the_next_invocation()
    {
        var first = _api.Enqueue(WebSocketEventJson);
        var postedBeforeWork = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var nextCallsDuringWork = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _running = LambdaBootstrap.RunAsync(
            new LambdaRuntimeClient(_http, _api.RuntimeApi),
            _ =>
                Task.FromResult<ILambdaInvocationHandler>(
                    new ApiGatewayEventDispatcher(_ws, _httpHandler)
                    {
                        AfterResponse = async ct =>
                        {
                            postedBeforeWork.TrySetResult(_api.OutcomeAsync(first).IsCompletedSuccessfully);
                            nextCallsDuringWork.TrySetResult(_api.NextCalls);
                            await release.Task.WaitAsync(ct);
                        },
                    }
                ),
            NullLoggerFactory.Instance,
            _stop.Token
        );

        Assert.True(
            await postedBeforeWork.Task.WaitAsync(TimeSpan.FromSeconds(10)),
            "the response was posted before the work ran"
        );
        var second = _api.Enqueue(HttpEventJson);
        Assert.Equal(1, await nextCallsDuringWork.Task);
        Assert.Empty(_httpHandler.Seen);

        release.SetResult();
        Assert.Equal("response", (await _api.OutcomeAsync(second)).Kind);
    }

    [Fact]
    public async Task Http_api_event_is_dispatched_to_the_http_handler()
    {
        StartLoop();
        var id = _api.Enqueue(HttpEventJson);

        var outcome = await _api.OutcomeAsync(id);

        Assert.Equal("response", outcome.Kind);
        Assert.Equal(201, JsonDocument.Parse(outcome.Body).RootElement.GetProperty("statusCode").GetInt32());
        Assert.Equal("POST", Assert.Single(_httpHandler.Seen).RequestContext.Http.Method);
    }

    [Fact]
    public async Task Handler_exception_is_posted_as_an_invocation_error_and_the_loop_goes_on()
    {
        StartLoop();
        var failing = _api.Enqueue(
            WebSocketEventJson.Replace("\"routeKey\":\"join\"", "\"routeKey\":\"explode\"", StringComparison.Ordinal)
        );
        var next = _api.Enqueue(WebSocketEventJson);

        var outcome = await _api.OutcomeAsync(failing);

        Assert.Equal("error", outcome.Kind);
        Assert.Equal(LambdaRuntimeLoop.UnhandledErrorType, outcome.ErrorTypeHeader);
        using var json = JsonDocument.Parse(outcome.Body);
        Assert.Equal("InvalidOperationException", json.RootElement.GetProperty("errorType").GetString());
        Assert.Equal("boom from the handler", json.RootElement.GetProperty("errorMessage").GetString());
        Assert.Equal("application/json", outcome.ContentType);
        Assert.Equal("response", (await _api.OutcomeAsync(next)).Kind);
        Assert.Empty(_api.Violations);
    }

    [Fact]
    public async Task Deadline_cancels_the_handler_and_reports_a_timeout()
    {
        StartLoop();
        var slow = _api.Enqueue(
            WebSocketEventJson.Replace("\"routeKey\":\"join\"", "\"routeKey\":\"hang\"", StringComparison.Ordinal),
            timeout: TimeSpan.FromMilliseconds(300)
        );
        var next = _api.Enqueue(WebSocketEventJson);

        var outcome = await _api.OutcomeAsync(slow);

        Assert.Equal("error", outcome.Kind);
        Assert.Equal(LambdaRuntimeLoop.TimeoutErrorType, outcome.ErrorTypeHeader);
        Assert.Equal(
            LambdaRuntimeLoop.TimeoutErrorType,
            JsonDocument.Parse(outcome.Body).RootElement.GetProperty("errorType").GetString()
        );
        Assert.True(_ws.HangWasCancelled.Task.IsCompletedSuccessfully);
        Assert.Equal("response", (await _api.OutcomeAsync(next)).Kind);
    }

    [Fact]
    public async Task Unknown_event_shape_is_an_invocation_error()
    {
        StartLoop();
        var id = _api.Enqueue("""{"Records":[{"eventSource":"aws:sqs"}]}""");

        var outcome = await _api.OutcomeAsync(id);

        Assert.Equal("error", outcome.Kind);
        Assert.Equal(
            ApiGatewayEventDispatcher.UnknownEventErrorType,
            JsonDocument.Parse(outcome.Body).RootElement.GetProperty("errorType").GetString()
        );
    }

    [Fact]
    public async Task Scheduled_event_runs_the_scheduled_handler()
    {
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _running = LambdaBootstrap.RunAsync(
            new LambdaRuntimeClient(_http, _api.RuntimeApi),
            _ =>
                Task.FromResult<ILambdaInvocationHandler>(
                    new ApiGatewayEventDispatcher(_ws, null)
                    {
                        ScheduledHandler = _ =>
                        {
                            ran.TrySetResult();
                            return Task.CompletedTask;
                        },
                    }
                ),
            NullLoggerFactory.Instance,
            _stop.Token
        );
        var id = _api.Enqueue(
            """{"version":"0","id":"1","detail-type":"Scheduled Event","source":"aws.events","detail":{}}"""
        );

        Assert.Equal("response", (await _api.OutcomeAsync(id)).Kind);
        Assert.True(ran.Task.IsCompleted);
    }

    [Fact]
    public async Task Http_event_to_a_function_without_http_handler_is_an_invocation_error()
    {
        _running = LambdaBootstrap.RunAsync(
            new LambdaRuntimeClient(_http, _api.RuntimeApi),
            _ => Task.FromResult<ILambdaInvocationHandler>(new ApiGatewayEventDispatcher(_ws, null)),
            NullLoggerFactory.Instance,
            _stop.Token
        );
        var outcome = await _api.OutcomeAsync(_api.Enqueue(HttpEventJson));
        Assert.Equal("error", outcome.Kind);
        Assert.Contains(
            "no handler for HttpApi",
            JsonDocument.Parse(outcome.Body).RootElement.GetProperty("errorMessage").GetString()
        );
    }

    [Fact]
    public async Task Runtime_api_failure_on_next_ends_the_process_with_a_failure_code()
    {
        _api.FailNext = true;
        StartLoop();
        Assert.Equal(1, await _running!.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Init_failure_is_posted_to_init_error_and_no_invocation_is_taken()
    {
        var exit = await LambdaBootstrap.RunAsync(
            new LambdaRuntimeClient(_http, _api.RuntimeApi),
            _ =>
                throw new LambdaFunctionException(
                    "Runtime.NoSuchHandler",
                    "MOBZ_HANDLER 'nope' is not one of rooms, pixelstreaming"
                ),
            NullLoggerFactory.Instance,
            _stop.Token
        );

        Assert.Equal(1, exit);
        var outcome = await _api.InitError.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("Runtime.NoSuchHandler", outcome.ErrorTypeHeader);
        using var json = JsonDocument.Parse(outcome.Body);
        Assert.Equal("Runtime.NoSuchHandler", json.RootElement.GetProperty("errorType").GetString());
        Assert.Contains("nope", json.RootElement.GetProperty("errorMessage").GetString());
        Assert.Equal(0, _api.NextCalls);
        Assert.Empty(_api.Violations);
    }

    [Fact]
    public async Task Invocations_are_handled_one_after_another_in_queue_order()
    {
        StartLoop();
        var ids = Enumerable
            .Range(0, 5)
            .Select(i =>
                _api.Enqueue(WebSocketEventJson.Replace("L0SM9cOFvHcCIhw=", $"conn{i}=", StringComparison.Ordinal))
            )
            .ToList();

        foreach (var id in ids)
            Assert.Equal("response", (await _api.OutcomeAsync(id)).Kind);
        Assert.Equal(
            Enumerable.Range(0, 5).Select(i => $"conn{i}="),
            _ws.Seen.Select(s => s.Event.RequestContext.ConnectionId)
        );
        Assert.Equal(1, _ws.MaxConcurrency);
    }

    [Theory]
    [InlineData(WebSocketEventJson, ApiGatewayEventDispatcher.EventShape.WebSocket)]
    [InlineData(HttpEventJson, ApiGatewayEventDispatcher.EventShape.HttpApi)]
    [InlineData("""{"version":"1.0","requestContext":{"http":{}}}""", ApiGatewayEventDispatcher.EventShape.Unknown)]
    [InlineData(
        """{"requestContext":{"connectionId":5,"eventType":"MESSAGE"}}""",
        ApiGatewayEventDispatcher.EventShape.Unknown
    )]
    [InlineData(
        """{"version":"0","id":"53dc4d37","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"2026-11-21T12:00:00Z","region":"eu-west-1","resources":["arn:aws:events:eu-west-1:123456789012:rule/sweep"],"detail":{}}""",
        ApiGatewayEventDispatcher.EventShape.Scheduled
    )]
    [InlineData(
        """{"source":"aws.s3","detail-type":"Scheduled Event"}""",
        ApiGatewayEventDispatcher.EventShape.Unknown
    )]
    [InlineData("[]", ApiGatewayEventDispatcher.EventShape.Unknown)]
    [InlineData("", ApiGatewayEventDispatcher.EventShape.Unknown)]
    [InlineData("{\"requestContext\":", ApiGatewayEventDispatcher.EventShape.Unknown)]
    public void Event_shape_is_detected_from_the_json(string json, ApiGatewayEventDispatcher.EventShape expected) =>
        Assert.Equal(expected, ApiGatewayEventDispatcher.Detect(System.Text.Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Shape_detection_survives_truncated_and_mutated_events()
    {
        var random = new Random(1234);
        var source = System.Text.Encoding.UTF8.GetBytes(WebSocketEventJson);
        for (var i = 0; i < 3000; i++)
        {
            var bytes = source.AsSpan(0, random.Next(source.Length + 1)).ToArray();
            if (bytes.Length > 0)
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            _ = ApiGatewayEventDispatcher.Detect(bytes);
        }
    }

    private sealed class TestWebSocketHandler : IWebSocketHandler
    {
        private int _active;
        public List<(WebSocketEvent Event, string? TraceId)> Seen { get; } = [];
        public int MaxConcurrency { get; private set; }
        public TaskCompletionSource HangWasCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<ProxyResponse> HandleAsync(WebSocketEvent evt, CancellationToken cancellationToken)
        {
            MaxConcurrency = Math.Max(MaxConcurrency, Interlocked.Increment(ref _active));
            try
            {
                lock (Seen)
                    Seen.Add((evt, Environment.GetEnvironmentVariable(LambdaRuntimeLoop.TraceIdVariable)));
                switch (evt.RequestContext.RouteKey)
                {
                    case "explode":
                        throw new InvalidOperationException("boom from the handler");
                    case "hang":
                        try
                        {
                            await Task.Delay(Timeout.Infinite, cancellationToken);
                        }
                        catch (OperationCanceledException)
                        {
                            HangWasCancelled.TrySetResult();
                            throw;
                        }
                        break;
                }
                return ProxyResponse.Ok("joined");
            }
            finally
            {
                Interlocked.Decrement(ref _active);
            }
        }
    }

    private sealed class TestHttpHandler : IHttpHandler
    {
        public List<HttpApiEvent> Seen { get; } = [];

        public Task<ProxyResponse> HandleAsync(HttpApiEvent evt, CancellationToken cancellationToken)
        {
            Seen.Add(evt);
            return Task.FromResult(ProxyResponse.Status(201, "{}"));
        }
    }
}
