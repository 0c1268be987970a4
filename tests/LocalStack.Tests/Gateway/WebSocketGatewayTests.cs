using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Aws.ApiGateway;
using MobZ.TestKit;

namespace MobZ.LocalStack.Tests.Gateway;

[Collection(GatewayCollection.Name)]
public sealed class WebSocketGatewayTests(GatewayFixture fixture)
{
    private static readonly TimeSpan Timeout = GatewayFixture.Timeout;

    [Fact]
    public async Task Connect_event_json_has_the_api_gateway_shape()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var (socket, id) = await fixture.ConnectAsync(fixture.Rooms, "/ws", "&room=r1&x=1&x=2");
        using var owned = socket;

        var evt = fixture.Rooms.For(id).Single(e => e.RequestContext.EventType == EventTypes.Connect);
        using var json = JsonDocument.Parse(
            JsonSerializer.Serialize(evt, ApiGatewayJsonContext.Default.WebSocketEvent)
        );
        var root = json.RootElement;
        var context = root.GetProperty("requestContext");
        Assert.Equal("$connect", context.GetProperty("routeKey").GetString());
        Assert.Equal("CONNECT", context.GetProperty("eventType").GetString());
        Assert.Equal(id, context.GetProperty("connectionId").GetString());
        Assert.Equal(fixture.Stack.BaseUrl.Authority, context.GetProperty("domainName").GetString());
        Assert.Equal("local", context.GetProperty("stage").GetString());
        Assert.Equal("ws", context.GetProperty("apiId").GetString());
        Assert.Equal("IN", context.GetProperty("messageDirection").GetString());
        Assert.Equal("127.0.0.1", context.GetProperty("identity").GetProperty("sourceIp").GetString());
        Assert.False(string.IsNullOrEmpty(context.GetProperty("requestId").GetString()));
        Assert.InRange(context.GetProperty("connectedAt").GetInt64(), before, before + 10_000);
        Assert.InRange(context.GetProperty("requestTimeEpoch").GetInt64(), before, before + 10_000);
        Assert.Matches(
            @"^\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000$",
            context.GetProperty("requestTime").GetString()
        );
        Assert.False(context.TryGetProperty("messageId", out _));
        Assert.Equal("r1", root.GetProperty("queryStringParameters").GetProperty("room").GetString());
        Assert.Equal(
            ["1", "2"],
            root.GetProperty("multiValueQueryStringParameters")
                .GetProperty("x")
                .EnumerateArray()
                .Select(e => e.GetString())
        );
        Assert.Equal("13", root.GetProperty("headers").GetProperty("Sec-WebSocket-Version").GetString());
        Assert.Equal("127.0.0.1", root.GetProperty("headers").GetProperty("X-Forwarded-For").GetString());
        Assert.False(root.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Matches("^[A-Za-z0-9_-]{15}=$", id);
    }

    [Theory]
    [InlineData("/ws", """{"action":"join","roomId":"r"}""", "join")]
    [InlineData("/ws", """{"action":"$connect"}""", "$default")]
    [InlineData("/ws", """{"action":5}""", "$default")]
    [InlineData("/ws", """{"type":"join"}""", "$default")]
    [InlineData("/ws", "not json at all", "$default")]
    [InlineData("/ws", """{"action":"jo""", "$default")]
    [InlineData("/ws", """{"action":"join\udc00"}""", "$default")]
    [InlineData("/ps", """{"type":"offer","sdp":"v=0"}""", "offer")]
    [InlineData("/ps", """{"type":"ping"}""", "$default")]
    [InlineData("/ps", """{"action":"offer"}""", "$default")]
    public async Task Messages_are_routed_by_each_apis_route_selection_expression(
        string path,
        string body,
        string expectedRoute
    )
    {
        var handler = path == "/ws" ? fixture.Rooms : fixture.Pixel;
        var (socket, id) = await fixture.ConnectAsync(handler, path);
        using var owned = socket;

        await GatewayFixture.SendTextAsync(socket, body);

        var evt = await Eventually.ValueAsync(
            () =>
                Task.FromResult(handler.For(id).FirstOrDefault(e => e.RequestContext.EventType == EventTypes.Message)),
            Timeout,
            "the message reaches the handler"
        );
        Assert.Equal(expectedRoute, evt.RequestContext.RouteKey);
        Assert.Equal(body, evt.Body);
        Assert.False(evt.IsBase64Encoded);
        Assert.False(string.IsNullOrEmpty(evt.RequestContext.MessageId));
        Assert.Equal(id, evt.RequestContext.ConnectionId);
    }

    [Fact]
    public async Task Binary_frames_arrive_base64_encoded_on_the_default_route()
    {
        var (socket, id) = await fixture.ConnectAsync(fixture.Rooms, "/ws");
        using var owned = socket;

        await socket.SendAsync(
            new byte[] { 0, 159, 146, 150 },
            WebSocketMessageType.Binary,
            true,
            CancellationToken.None
        );

        var evt = await Eventually.ValueAsync(
            () =>
                Task.FromResult(
                    fixture.Rooms.For(id).FirstOrDefault(e => e.RequestContext.EventType == EventTypes.Message)
                ),
            Timeout,
            "the binary message reaches the handler"
        );
        Assert.True(evt.IsBase64Encoded);
        Assert.Equal("AJ+Slg==", evt.Body);
        Assert.Equal("$default", evt.RequestContext.RouteKey);
    }

    [Fact]
    public async Task Writes_during_connect_are_gone_and_succeed_once_the_upgrade_is_accepted()
    {
        var (socket, id) = await fixture.ConnectAsync(fixture.Rooms, "/ws");
        using var owned = socket;

        Assert.Equal(SendStatus.Gone, fixture.Rooms.SendDuringConnect[id]);
        Assert.Equal(SendStatus.Sent, await fixture.Sender.SendAsync(id, "{\"type\":\"config\"}"u8.ToArray()));
        Assert.Equal("{\"type\":\"config\"}", await GatewayFixture.ReceiveTextAsync(socket));
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(500)]
    public async Task Non_2xx_from_connect_rejects_the_upgrade_with_that_status(int status)
    {
        var tag = Guid.NewGuid().ToString("N");
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;

        await Assert.ThrowsAsync<WebSocketException>(() =>
            socket.ConnectAsync(fixture.Stack.WebSocketUrl($"/ws?client={tag}&reject={status}"), CancellationToken.None)
        );

        Assert.Equal((HttpStatusCode)status, socket.HttpStatusCode);
        var connect = fixture.Rooms.Events.Single(e => e.QueryStringParameters?["client"] == tag);
        var id = connect.RequestContext.ConnectionId;
        Assert.Equal(SendStatus.Gone, await fixture.Sender.SendAsync(id, "x"u8.ToArray()));
        Assert.DoesNotContain(fixture.Rooms.For(id), e => e.RequestContext.EventType == EventTypes.Disconnect);
    }

    [Fact]
    public async Task Subprotocol_chosen_by_connect_is_accepted()
    {
        var tag = Guid.NewGuid().ToString("N");
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("mobz.v1");
        await socket.ConnectAsync(
            fixture.Stack.WebSocketUrl($"/ws?client={tag}&protocol=mobz.v1"),
            CancellationToken.None
        );
        Assert.Equal("mobz.v1", socket.SubProtocol);
    }

    [Fact]
    public async Task Plain_http_request_to_a_websocket_path_gets_426()
    {
        var response = await fixture.Client.GetAsync("/ws");
        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
    }

    [Fact]
    public async Task Client_close_delivers_disconnect_with_status_and_reason_last()
    {
        var (socket, id) = await fixture.ConnectAsync(fixture.Rooms, "/ws");
        await GatewayFixture.SendTextAsync(socket, """{"action":"last","seq":1}""");

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        socket.Dispose();

        var disconnect = await fixture.DisconnectEventAsync(fixture.Rooms, id);
        Assert.Equal("$disconnect", disconnect.RequestContext.RouteKey);
        Assert.Equal(1000, disconnect.RequestContext.DisconnectStatusCode);
        Assert.Equal(
            "Client-side close frame status code '1000' (NORMAL_CLOSURE) - with reason 'bye'",
            disconnect.RequestContext.DisconnectReason
        );
        Assert.Equal(EventTypes.Disconnect, fixture.Rooms.For(id).Last().RequestContext.EventType);
        Assert.Equal(SendStatus.Gone, await fixture.Sender.SendAsync(id, "x"u8.ToArray()));
    }

    [Fact]
    public async Task Aborted_connection_delivers_disconnect_1006()
    {
        var (socket, id) = await fixture.ConnectAsync(fixture.Rooms, "/ws");
        socket.Abort();
        socket.Dispose();

        var disconnect = await fixture.DisconnectEventAsync(fixture.Rooms, id);
        Assert.Equal(1006, disconnect.RequestContext.DisconnectStatusCode);
    }

    [Fact]
    public async Task Incoming_message_over_128_KB_closes_the_connection_with_1009()
    {
        var (socket, id) = await fixture.ConnectAsync(fixture.Rooms, "/ws");
        using var owned = socket;

        var oversize = Encoding.UTF8.GetBytes(
            "{\"action\":\"big\",\"pad\":\"" + new string('a', IConnectionSender.MaxPayloadBytes) + "\"}"
        );
        await socket.SendAsync(oversize, WebSocketMessageType.Text, true, CancellationToken.None);

        Assert.Null(await GatewayFixture.ReceiveTextAsync(socket));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, socket.CloseStatus);
        var disconnect = await fixture.DisconnectEventAsync(fixture.Rooms, id);
        Assert.Equal(1009, disconnect.RequestContext.DisconnectStatusCode);
        Assert.DoesNotContain(fixture.Rooms.For(id), e => e.RequestContext.EventType == EventTypes.Message);
    }

    [Fact]
    public async Task Incoming_message_of_exactly_128_KB_is_delivered()
    {
        var (socket, id) = await fixture.ConnectAsync(fixture.Rooms, "/ws");
        using var owned = socket;
        var prefix = "{\"action\":\"big\",\"pad\":\"";
        var body = prefix + new string('a', IConnectionSender.MaxPayloadBytes - prefix.Length - 2) + "\"}";
        Assert.Equal(IConnectionSender.MaxPayloadBytes, Encoding.UTF8.GetByteCount(body));

        // Sent in several frames, as browsers do for large messages.
        var bytes = Encoding.UTF8.GetBytes(body);
        for (var offset = 0; offset < bytes.Length; offset += 32 * 1024)
        {
            await socket.SendAsync(
                bytes.AsMemory(offset, Math.Min(32 * 1024, bytes.Length - offset)),
                WebSocketMessageType.Text,
                offset + 32 * 1024 >= bytes.Length,
                CancellationToken.None
            );
        }

        var evt = await Eventually.ValueAsync(
            () =>
                Task.FromResult(
                    fixture.Rooms.For(id).FirstOrDefault(e => e.RequestContext.EventType == EventTypes.Message)
                ),
            Timeout,
            "the 128 KB message reaches the handler"
        );
        Assert.Equal("big", evt.RequestContext.RouteKey);
        Assert.Equal(body.Length, evt.Body!.Length);
    }

    [Fact]
    public async Task Outbound_payload_over_128_KB_is_refused_not_truncated()
    {
        var (socket, id) = await fixture.ConnectAsync(fixture.Rooms, "/ws");
        using var owned = socket;

        Assert.Equal(
            SendStatus.TooLarge,
            await fixture.Sender.SendAsync(id, new byte[IConnectionSender.MaxPayloadBytes + 1])
        );
        Assert.Equal(SendStatus.Sent, await fixture.Sender.SendAsync(id, "after"u8.ToArray()));

        Assert.Equal("after", await GatewayFixture.ReceiveTextAsync(socket));
    }

    [Fact]
    public async Task Messages_of_one_connection_are_handled_in_order_while_other_connections_proceed()
    {
        fixture.Rooms.ResetGate();
        var (a, idA) = await fixture.ConnectAsync(fixture.Rooms, "/ws");
        var (b, idB) = await fixture.ConnectAsync(fixture.Rooms, "/ws");
        using var ownedA = a;
        using var ownedB = b;

        await GatewayFixture.SendTextAsync(a, """{"action":"block","seq":0}""");
        for (var i = 1; i <= 40; i++)
            await GatewayFixture.SendTextAsync(a, $$"""{"action":"m","seq":{{i}}}""");
        await GatewayFixture.SendTextAsync(b, """{"action":"echo","seq":1}""");

        // B is answered although A's handler is still blocked on its first message.
        Assert.Equal("""{"action":"echo","seq":1}""", await GatewayFixture.ReceiveTextAsync(b));
        Assert.DoesNotContain(fixture.Rooms.Handling, h =>
            h.StartsWith(idA + ":start:{\"action\":\"m\"", StringComparison.Ordinal)
        );

        fixture.Rooms.Gate.SetResult();
        await Eventually.WaitUntilAsync(
            () => fixture.Rooms.For(idA).Count(e => e.RequestContext.EventType == EventTypes.Message) == 41,
            Timeout,
            "all 41 messages of A are handled"
        );
        var order = fixture
            .Rooms.For(idA)
            .Where(e => e.RequestContext.EventType == EventTypes.Message)
            .Select(RecordingHandler.Seq)
            .ToList();
        Assert.Equal(
            Enumerable.Range(0, 41).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            order
        );
        // Strictly serial: each message of A ends before the next one starts.
        var steps = fixture.Rooms.Handling.Where(h => h.StartsWith(idA + ":", StringComparison.Ordinal)).ToList();
        for (var i = 0; i < steps.Count; i += 2)
        {
            Assert.Contains(":start:", steps[i]);
            Assert.Contains(":end:", steps[i + 1]);
        }
    }

    [Fact]
    public async Task A_failing_handler_does_not_close_the_connection()
    {
        var (socket, id) = await fixture.ConnectAsync(fixture.Rooms, "/ws");
        using var owned = socket;

        await GatewayFixture.SendTextAsync(socket, """{"action":"throw"}""");
        await GatewayFixture.SendTextAsync(socket, """{"action":"echo","after":"throw"}""");

        Assert.Equal("""{"action":"echo","after":"throw"}""", await GatewayFixture.ReceiveTextAsync(socket));
        Assert.Equal(WebSocketState.Open, socket.State);
    }
}
