using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.PixelStreaming.Api;
using MobZ.PixelStreaming.Instances;
using MobZ.PixelStreaming.Security;
using MobZ.PixelStreaming.Tests.Support;
using MobZ.State;

namespace MobZ.PixelStreaming.Tests;

public sealed class RestApiTests : IAsyncLifetime
{
    private sealed class FakeProvider : IInstanceProvider
    {
        public List<string> Started { get; } = [];
        public List<(string Id, string Ref)> Stopped { get; } = [];

        /// <summary>Instances whose address is not known yet (an ECS task waiting for a GPU host).</summary>
        public HashSet<string> Booting { get; } = [];
        public string Name => "fake";

        public Task<string> LaunchAsync(string instanceId, CancellationToken cancellationToken)
        {
            Started.Add(instanceId);
            return Task.FromResult($"arn:task/{instanceId}");
        }

        public Task<StartedInstance?> ProbeAsync(
            string instanceId,
            string providerRef,
            CancellationToken cancellationToken
        )
        {
            if (Booting.Contains(instanceId))
                return Task.FromResult<StartedInstance?>(null);
            var ip = $"198.51.100.{Started.IndexOf(instanceId) + 1}";
            return Task.FromResult<StartedInstance?>(new StartedInstance(ip, new Uri($"http://{ip}:8081/")));
        }

        public Task StopAsync(string instanceId, string providerRef, CancellationToken cancellationToken)
        {
            Stopped.Add((instanceId, providerRef));
            return Task.CompletedTask;
        }
    }

    private IStateBackend _backend = null!;
    private PsStack _ps = null!;
    private readonly FakeProvider _provider = new();

    public async Task InitializeAsync()
    {
        _backend = await StateBackend.CreateAsync(null, NullLoggerFactory.Instance);
        _ps = new PsStack(_backend.Store, configureServices: s => s.AddSingleton<IInstanceProvider>(_provider));
    }

    public async Task DisposeAsync()
    {
        await _ps.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    [InlineData("")]
    public async Task Api_calls_without_the_right_key_get_401(string? key)
    {
        var response = await _ps.HttpAsync("POST", "/api/instances", "{}", apiKey: key);
        Assert.Equal(401, response.StatusCode);
        Assert.Contains("x-api-key", PsStack.Json(response).GetProperty("error").GetString());
        Assert.Empty(_provider.Started);
    }

    [Fact]
    public async Task Api_key_header_name_is_configurable()
    {
        await using var ps = new PsStack(_backend.Store, o => o.Api.ApiKeyHeader = "x-mobz-key");
        Assert.Equal(401, (await ps.HttpAsync("GET", "/api/instances")).StatusCode);
        var response = await ps.Api.HandleAsync(
            new MobZ.Signaling.Abstractions.HttpApiEvent
            {
                RouteKey = "$default",
                RawPath = "/api/instances",
                Headers = new Dictionary<string, string> { ["X-Mobz-Key"] = "test-key" },
                RequestContext = new MobZ.Signaling.Abstractions.HttpApiRequestContext
                {
                    DomainName = "x",
                    Http = new MobZ.Signaling.Abstractions.HttpApiRequestHttp
                    {
                        Method = "GET",
                        Path = "/api/instances",
                        SourceIp = "127.0.0.1",
                    },
                },
            },
            CancellationToken.None
        );
        Assert.Equal(200, response.StatusCode);
    }

    [Fact]
    public async Task Creating_an_instance_allows_its_address_and_deleting_it_stops_it_and_removes_the_address()
    {
        var created = await _ps.HttpAsync("POST", "/api/instances", "{\"instanceId\":\"ue-7\"}");
        Assert.Equal(201, created.StatusCode);
        var body = PsStack.Json(created);
        Assert.Equal("ue-7", body.GetProperty("instanceId").GetString());
        Assert.Equal("198.51.100.1", body.GetProperty("publicIp").GetString());
        Assert.True(await _ps.Get<StreamerAllowList>().IsAllowedAsync("198.51.100.1"));

        // Its streamer may now connect, and is tied to its worker.
        var (s, _) = await _ps.RegisterStreamerAsync("ue-7", "198.51.100.1");
        Assert.Equal(
            new Uri("http://198.51.100.1:8081/"),
            await _ps.Get<Workers.WorkerLocator>().WorkerOfStreamerAsync("ue-7")
        );

        var listed = PsStack.Json(await _ps.HttpAsync("GET", "/api/instances"));
        Assert.Equal("ue-7", listed.GetProperty("instances")[0].GetProperty("instanceId").GetString());

        Assert.Equal(409, (await _ps.HttpAsync("POST", "/api/instances", "{\"instanceId\":\"ue-7\"}")).StatusCode);

        Assert.Equal(204, (await _ps.HttpAsync("DELETE", "/api/instances/ue-7")).StatusCode);
        Assert.Equal([("ue-7", "arn:task/ue-7")], _provider.Stopped);
        Assert.False(await _ps.Get<StreamerAllowList>().IsAllowedAsync("198.51.100.1"));
        Assert.Equal(404, (await _ps.HttpAsync("DELETE", "/api/instances/ue-7")).StatusCode);
        Assert.NotNull(s);
    }

    [Fact]
    public async Task An_instance_that_is_still_starting_is_accepted_and_its_status_resource_turns_running()
    {
        _provider.Booting.Add("ue-8");
        var accepted = await _ps.HttpAsync("POST", "/api/instances", "{\"instanceId\":\"ue-8\"}");
        Assert.Equal(202, accepted.StatusCode);
        Assert.Equal("/api/instances/ue-8", accepted.Headers!["location"]);
        var body = PsStack.Json(accepted);
        Assert.Equal("starting", body.GetProperty("status").GetString());
        Assert.False(body.TryGetProperty("publicIp", out _));
        Assert.False(await _ps.Get<StreamerAllowList>().IsAllowedAsync("198.51.100.1"));
        // Its worker cannot be driven yet.
        Assert.Equal(409, (await _ps.HttpAsync("POST", "/api/save-project", "{\"instanceId\":\"ue-8\"}")).StatusCode);

        var polled = await _ps.HttpAsync("GET", "/api/instances/ue-8");
        Assert.Equal(200, polled.StatusCode);
        Assert.Equal("starting", PsStack.Json(polled).GetProperty("status").GetString());

        _provider.Booting.Remove("ue-8");
        var running = PsStack.Json(await _ps.HttpAsync("GET", "/api/instances/ue-8"));
        Assert.Equal("running", running.GetProperty("status").GetString());
        Assert.Equal("198.51.100.1", running.GetProperty("publicIp").GetString());
        Assert.Equal("http://198.51.100.1:8081/", running.GetProperty("workerUrl").GetString());
        Assert.True(await _ps.Get<StreamerAllowList>().IsAllowedAsync("198.51.100.1"));
        Assert.Equal(404, (await _ps.HttpAsync("GET", "/api/instances/ue-404")).StatusCode);
    }

    [Theory]
    [InlineData("POST", "/api/instances", "[]", "body must be a JSON object")]
    [InlineData("POST", "/api/instances", "{\"instanceId\":42}", "'instanceId' must be a string")]
    [InlineData("POST", "/api/instances", "{\"instanceId\":\"a/b\"}", "'instanceId' must be a string")]
    [InlineData("POST", "/api/instances", "{\"color\":\"red\"}", "unknown field 'color'")]
    [InlineData("POST", "/api/instances", "{", "body is not valid JSON")]
    [InlineData("POST", "/api/save-project", null, "a JSON object body is required")]
    [InlineData("POST", "/api/save-project", "{}", "exactly one of 'playerId' or 'instanceId'")]
    [InlineData(
        "POST",
        "/api/save-project",
        "{\"playerId\":\"a\",\"instanceId\":\"b\"}",
        "exactly one of 'playerId' or 'instanceId'"
    )]
    [InlineData(
        "POST",
        "/api/save-project",
        "{\"playerId\":\"a\",\"projectUrl\":\"not a url\"}",
        "'projectUrl' must be an absolute URL"
    )]
    [InlineData(
        "POST",
        "/api/generate-video",
        "{\"playerId\":\"a\",\"settings\":[1]}",
        "'settings' must be a JSON object"
    )]
    [InlineData("POST", "/api/generate-video", "{\"playerId\":\"\"}", "'playerId' must be a string")]
    public async Task Invalid_bodies_get_400_with_a_sentence_naming_the_problem(
        string method,
        string path,
        string? body,
        string expected
    )
    {
        var response = await _ps.HttpAsync(method, path, body);
        Assert.Equal(400, response.StatusCode);
        Assert.Contains(expected, PsStack.Json(response).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Save_project_and_generate_video_reach_the_worker_of_the_players_streamer()
    {
        await _ps.HttpAsync("POST", "/api/instances", "{\"instanceId\":\"ue-9\"}");
        var (s, _) = await _ps.RegisterStreamerAsync("ue-9", "198.51.100.1");
        var p = await _ps.ConnectPlayerAsync("olga");
        await _ps.SendAsync(p, new JsonObject { ["type"] = "subscribe", ["streamerId"] = "ue-9" });
        await _ps.NextAsync(s, "playerConnected");

        var saved = await _ps.HttpAsync(
            "POST",
            "/api/save-project",
            "{\"playerId\":\"olga\",\"projectUrl\":\"https://p.example.test/out\"}"
        );
        Assert.Equal(200, saved.StatusCode);
        var save = Assert.Single(_ps.Worker.Calls, c => c.Operation == "saveProject");
        Assert.Equal(new Uri("http://198.51.100.1:8081/"), save.Worker);
        Assert.Equal(new Workers.SaveProjectRequest("olga", "https://p.example.test/out"), save.Request);

        _ps.Worker.Status = 202;
        var render = await _ps.HttpAsync(
            "POST",
            "/api/generate-video",
            "{\"instanceId\":\"ue-9\",\"settings\":{\"durationMs\":1500}}"
        );
        Assert.Equal(202, render.StatusCode);
        var call = Assert.Single(_ps.Worker.Calls, c => c.Operation == "generateVideo");
        var request = (Workers.GenerateVideoRequest)call.Request;
        Assert.Equal("olga", request.PlayerId);
        Assert.Equal(1500, request.Settings!.Value.GetProperty("durationMs").GetInt32());
    }

    [Fact]
    public async Task Worker_calls_for_unknown_or_unmatched_players_are_refused_before_any_worker_is_called()
    {
        Assert.Equal(404, (await _ps.HttpAsync("POST", "/api/save-project", "{\"playerId\":\"nobody\"}")).StatusCode);
        await _ps.ConnectPlayerAsync("idle-one");
        Assert.Equal(409, (await _ps.HttpAsync("POST", "/api/save-project", "{\"playerId\":\"idle-one\"}")).StatusCode);
        Assert.Equal(
            404,
            (await _ps.HttpAsync("POST", "/api/generate-video", "{\"instanceId\":\"ghost\"}")).StatusCode
        );
        Assert.Empty(_ps.Worker.Calls);
    }

    [Fact]
    public async Task Unknown_routes_and_methods_are_404_and_405()
    {
        Assert.Equal(404, (await _ps.HttpAsync("GET", "/api/nothing")).StatusCode);
        Assert.Equal(405, (await _ps.HttpAsync("PUT", "/api/instances")).StatusCode);
        Assert.Equal(405, (await _ps.HttpAsync("GET", "/api/save-project")).StatusCode);
    }

    [Fact]
    public void OpenApi_document_lists_exactly_the_routes_the_handler_serves()
    {
        using var doc = JsonDocument.Parse(
            typeof(PixelStreamingApiHandler).Assembly.GetManifestResourceStream("MobZ.PixelStreaming.openapi.json")!
        );
        var documented = doc
            .RootElement.GetProperty("paths")
            .EnumerateObject()
            .SelectMany(path =>
                path.Value.EnumerateObject().Select(op => new ApiRoute(op.Name.ToUpperInvariant(), path.Name))
            )
            // the admin API's (tests/LocalStack.Tests/Observability)
            .Where(r => !r.Path.StartsWith("/api/admin/", StringComparison.Ordinal))
            .OrderBy(r => r.Path)
            .ThenBy(r => r.Method)
            .ToArray();
        var served = PixelStreamingApiHandler.Routes.OrderBy(r => r.Path).ThenBy(r => r.Method).ToArray();
        Assert.Equal(served, documented);
    }

    [Fact]
    public async Task Docs_serve_swagger_ui_over_the_openapi_document_without_an_api_key()
    {
        var page = await _ps.HttpAsync("GET", "/docs", apiKey: null);
        Assert.Equal(200, page.StatusCode);
        Assert.Contains("/docs/openapi.json", page.Body);
        var json = await _ps.HttpAsync("GET", "/docs/openapi.json", apiKey: null);
        Assert.Equal("3.0.3", PsStack.Json(json).GetProperty("openapi").GetString());
        var bundle = await _ps.HttpAsync("GET", "/docs/swagger-ui-bundle.js", apiKey: null);
        Assert.Equal(200, bundle.StatusCode);
        Assert.True(bundle.IsBase64Encoded);
        Assert.True(Convert.FromBase64String(bundle.Body!).Length > 100_000);
        Assert.Equal(404, (await _ps.HttpAsync("GET", "/docs/../secrets", apiKey: null)).StatusCode);
    }
}
