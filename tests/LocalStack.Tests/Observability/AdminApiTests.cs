using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MobZ.Admin;
using MobZ.LocalStack.Hosting;
using MobZ.PixelStreaming.Api;
using MobZ.TestKit;
using MobZ.TestKit.Redis;
using static MobZ.LocalStack.Tests.Observability.LocalStackObservability;

namespace MobZ.LocalStack.Tests.Observability;

/// <summary>The admin API on the local stack, on the in-process backend and on Redis.</summary>
public sealed class AdminApiTests : IClassFixture<RedisServer>
{
    private const string Key = "admin-test-key";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly RedisServer _redis;

    public AdminApiTests(RedisServer redis) => _redis = redis;

    public static TheoryData<string> Backends => new() { "in-process", "redis" };

    private Task<RunningLocalStack> StartAsync(string backend) =>
        LocalStackObservability.StartAsync(
            backend == "redis" ? _redis.Configuration : "",
            backend == "redis" ? _redis.NewKeyPrefix() : null,
            b =>
            {
                MobZ.PixelStreaming.PixelStreamingServiceCollectionExtensions.AddPixelStreaming(b.Services, o =>
                    o.Api.ApiKey = Key
                );
                b.Services.AddMobZAdmin(); // mounts the API at AdminApiHandler.Prefix itself
            }
        );

    private static HttpClient Client(RunningLocalStack stack, string? key = Key)
    {
        var http = new HttpClient { BaseAddress = stack.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null)
            http.DefaultRequestHeaders.Add("x-api-key", key);
        return http;
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Without_the_key_every_admin_call_is_401(string backend)
    {
        await using var stack = await StartAsync(backend);
        using var anonymous = Client(stack, key: null);
        using var wrong = Client(stack, key: "not-the-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/admin/rooms")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("api/admin/munits")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.PostAsync("api/admin/munits/x/stop", null)).StatusCode);
        // The same error shape as the Pixel Streaming API (the OpenAPI document's Error schema), naming the header.
        using var body = JsonDocument.Parse(
            await (await wrong.GetAsync("api/admin/rooms")).Content.ReadAsStringAsync()
        );
        Assert.Contains("x-api-key", body.RootElement.GetProperty("error").GetString());
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Key_hint_answers_without_a_key_and_names_no_key_outside_development_mode(string backend)
    {
        await using var stack = await StartAsync(backend);
        using var anonymous = Client(stack, key: null);
        var response = await anonymous.GetAsync("api/admin/key-hint");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var hint = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("x-api-key", hint.RootElement.GetProperty("header").GetString());
        Assert.Equal(JsonValueKind.Null, hint.RootElement.GetProperty("developmentKey").ValueKind);
        Assert.DoesNotContain(Key, hint.RootElement.GetRawText());
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Rooms_list_members_with_their_station_and_Munit_and_a_kick_tells_and_removes_the_member(
        string backend
    )
    {
        await using var stack = await StartAsync(backend);
        using var http = Client(stack);
        using var ann = await ConnectAsync(stack, "/ws", "ann");
        using var bob = await ConnectAsync(stack, "/ws", "bob");
        await SendAsync(
            ann,
            """{"action":"Join","requestId":"a","roomId":"ops-room","roomKind":"m2m","userId":"ann"}"""
        );
        await ReceiveUntilAsync(ann, "\"a\"");
        await SendAsync(
            bob,
            """{"action":"Join","requestId":"b","roomId":"ops-room","roomKind":"m2m","userId":"bob","role":"viewer"}"""
        );
        await ReceiveUntilAsync(bob, "\"b\"");

        using var rooms = JsonDocument.Parse(await http.GetStringAsync("api/admin/rooms"));
        var room = rooms
            .RootElement.GetProperty("rooms")
            .EnumerateArray()
            .Single(r => r.GetProperty("roomId").GetString() == "ops-room");
        Assert.Equal("m2m", room.GetProperty("kind").GetString());
        // ann's join made her owner and publisher in one step; bob's as a viewer changed neither.
        Assert.Equal(1, room.GetProperty("version").GetInt64());
        var members = room.GetProperty("members")
            .EnumerateArray()
            .ToDictionary(m => m.GetProperty("userId").GetString()!);
        Assert.Equal("publisher", members["ann"].GetProperty("role").GetString());
        Assert.True(members["ann"].GetProperty("owner").GetBoolean());
        Assert.False(string.IsNullOrEmpty(members["ann"].GetProperty("stationId").GetString()));
        string munitId = members["ann"].GetProperty("munitId").GetString()!;
        Assert.Equal(stack.Services.GetRequiredService<MobZ.Regulator.Regulator>().MunitId, munitId);
        Assert.Equal("viewer", members["bob"].GetProperty("role").GetString());

        string bobId = members["bob"].GetProperty("connectionId").GetString()!;
        var kick = await http.DeleteAsync($"api/admin/rooms/ops-room/members/{Uri.EscapeDataString(bobId)}");
        Assert.Equal(HttpStatusCode.NoContent, kick.StatusCode);
        Assert.Contains("\"by\":\"admin\"", await ReceiveUntilAsync(bob, "\"Kicked\""));
        await Eventually.WaitUntilAsync(
            async () =>
            {
                using var after = JsonDocument.Parse(await http.GetStringAsync("api/admin/rooms"));
                return after
                        .RootElement.GetProperty("rooms")
                        .EnumerateArray()
                        .Single()
                        .GetProperty("members")
                        .GetArrayLength() == 1;
            },
            Deadline,
            "bob is gone from the room"
        );
        Assert.Equal(
            HttpStatusCode.NotFound,
            (await http.DeleteAsync($"api/admin/rooms/ops-room/members/{Uri.EscapeDataString(bobId)}")).StatusCode
        );
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Closing_a_room_tells_everyone_and_leaves_no_room(string backend)
    {
        await using var stack = await StartAsync(backend);
        using var http = Client(stack);
        using var ann = await ConnectAsync(stack, "/ws", "ann");
        using var bob = await ConnectAsync(stack, "/ws", "bob");
        await SendAsync(
            ann,
            """{"action":"Join","requestId":"a","roomId":"closing","roomKind":"p2p","userId":"ann"}"""
        );
        await ReceiveUntilAsync(ann, "\"a\"");
        await SendAsync(
            bob,
            """{"action":"Join","requestId":"b","roomId":"closing","roomKind":"p2p","userId":"bob"}"""
        );
        await ReceiveUntilAsync(bob, "\"b\"");

        var close = await http.DeleteAsync("api/admin/rooms/closing");
        Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        Assert.Contains("\"removed\":2", await close.Content.ReadAsStringAsync());
        await ReceiveUntilAsync(ann, "\"Kicked\"");
        await ReceiveUntilAsync(bob, "\"Kicked\"");
        using var rooms = JsonDocument.Parse(await http.GetStringAsync("api/admin/rooms"));
        Assert.Equal(0, rooms.RootElement.GetProperty("rooms").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("api/admin/rooms/closing")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Munits_are_listed_and_drain_and_revive_reach_the_Regulator(string backend)
    {
        await using var stack = await StartAsync(backend);
        using var http = Client(stack);
        var regulator = stack.Services.GetRequiredService<MobZ.Regulator.Regulator>();
        await Eventually.WaitUntilAsync(() => regulator.Registered, Deadline, "the Munit registers");

        using (var list = JsonDocument.Parse(await http.GetStringAsync("api/admin/munits")))
        {
            var munit = list.RootElement.GetProperty("munits").EnumerateArray().Single();
            Assert.Equal(regulator.MunitId, munit.GetProperty("munitId").GetString());
            Assert.False(munit.GetProperty("draining").GetBoolean());
            Assert.True(munit.GetProperty("alive").GetBoolean());
        }

        Assert.Equal(
            HttpStatusCode.Accepted,
            (await http.PostAsync($"api/admin/munits/{regulator.MunitId}/drain", null)).StatusCode
        );
        await Eventually.WaitUntilAsync(
            async () =>
            {
                using var list = JsonDocument.Parse(await http.GetStringAsync("api/admin/munits"));
                return list.RootElement.GetProperty("munits")[0].GetProperty("draining").GetBoolean();
            },
            Deadline,
            "the registration says draining"
        );
        Assert.True(regulator.Draining);

        Assert.Equal(
            HttpStatusCode.Accepted,
            (await http.PostAsync($"api/admin/munits/{regulator.MunitId}/revive", null)).StatusCode
        );
        await Eventually.WaitUntilAsync(() => !regulator.Draining, Deadline, "the Munit takes stations again");
        Assert.Equal(
            HttpStatusCode.NotFound,
            (await http.PostAsync("api/admin/munits/no-such-munit/drain", null)).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.NotFound,
            (await http.PostAsync($"api/admin/munits/{regulator.MunitId}/explode", null)).StatusCode
        );
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_drain_with_a_deadline_reaches_the_Regulator_and_bad_deadlines_are_refused(string backend)
    {
        await using var stack = await StartAsync(backend);
        using var http = Client(stack);
        var regulator = stack.Services.GetRequiredService<MobZ.Regulator.Regulator>();
        await Eventually.WaitUntilAsync(() => regulator.Registered, Deadline, "the Munit registers");

        foreach (var bad in new[] { "-1", "86401", "soon", "NaN", "" })
        {
            var refused = await http.PostAsync(
                $"api/admin/munits/{regulator.MunitId}/drain?deadlineSeconds={bad}",
                null
            );
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("deadlineSeconds", await refused.Content.ReadAsStringAsync());
        }
        Assert.Equal(
            HttpStatusCode.BadRequest,
            (await http.PostAsync($"api/admin/munits/{regulator.MunitId}/stop?deadlineSeconds=5", null)).StatusCode
        );
        Assert.False(regulator.Draining, "a refused order reached the Munit");

        var before = DateTimeOffset.UtcNow;
        Assert.Equal(
            HttpStatusCode.Accepted,
            (await http.PostAsync($"api/admin/munits/{regulator.MunitId}/drain?deadlineSeconds=600", null)).StatusCode
        );
        await Eventually.WaitUntilAsync(
            () => regulator.DrainDeadline is not null,
            Deadline,
            "the Regulator took the drain with its deadline"
        );
        Assert.InRange(regulator.DrainDeadline!.Value, before.AddSeconds(600), DateTimeOffset.UtcNow.AddSeconds(600));
        Assert.True(regulator.Draining);

        Assert.Equal(
            HttpStatusCode.Accepted,
            (await http.PostAsync($"api/admin/munits/{regulator.MunitId}/revive", null)).StatusCode
        );
        await Eventually.WaitUntilAsync(
            () => !regulator.Draining && regulator.DrainDeadline is null,
            Deadline,
            "the revive cancelled the deadline"
        );
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Pixel_streaming_overview_lists_the_queue_and_streamers(string backend)
    {
        await using var stack = await StartAsync(backend);
        using var http = Client(stack);
        using var doc = JsonDocument.Parse(await http.GetStringAsync("api/admin/pixelstreaming"));
        Assert.Equal(JsonValueKind.Array, doc.RootElement.GetProperty("queue").ValueKind);
        Assert.Equal(JsonValueKind.Array, doc.RootElement.GetProperty("streamers").ValueKind);
    }

    [Fact]
    public void OpenApi_document_lists_exactly_the_admin_routes_the_handler_serves()
    {
        using var doc = JsonDocument.Parse(
            typeof(PixelStreamingApiHandler).Assembly.GetManifestResourceStream("MobZ.PixelStreaming.openapi.json")!
        );
        var documented = doc
            .RootElement.GetProperty("paths")
            .EnumerateObject()
            .Where(p => p.Name.StartsWith("/api/admin/", StringComparison.Ordinal))
            .SelectMany(path =>
                path.Value.EnumerateObject().Select(op => new ApiRoute(op.Name.ToUpperInvariant(), path.Name))
            )
            .OrderBy(r => r.Path)
            .ThenBy(r => r.Method)
            .ToArray();
        Assert.Equal(AdminApiHandler.Routes.OrderBy(r => r.Path).ThenBy(r => r.Method).ToArray(), documented);
    }
}
