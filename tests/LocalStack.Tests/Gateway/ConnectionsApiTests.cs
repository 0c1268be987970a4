using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using MobZ.Aws.Credentials;
using MobZ.LocalStack.Gateway;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Aws.ApiGateway;

namespace MobZ.LocalStack.Tests.Gateway;

[Collection(GatewayCollection.Name)]
public sealed class ConnectionsApiTests(GatewayFixture fixture)
{
    private static string PathOf(string connectionId, string stage = "local") =>
        $"/{stage}/@connections/{Uri.EscapeDataString(connectionId)}";

    [Fact]
    public async Task Post_over_http_is_delivered_to_the_client()
    {
        var (socket, id) = await fixture.ConnectAsync(fixture.Rooms, "/ws");
        using var owned = socket;

        var response = await fixture.Client.PostAsync(PathOf(id), new StringContent("""{"type":"hello"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"type":"hello"}""", await GatewayFixture.ReceiveTextAsync(socket));
    }

    [Fact]
    public async Task Get_returns_connection_info_as_the_management_api_does()
    {
        var (socket, id) = await fixture.ConnectAsync(fixture.Rooms, "/ws");
        using var owned = socket;

        var response = await fixture.Client.GetAsync(PathOf(id));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("127.0.0.1", json.RootElement.GetProperty("Identity").GetProperty("SourceIp").GetString());
        var connectedAt = json.RootElement.GetProperty("ConnectedAt").GetDateTimeOffset();
        Assert.InRange(DateTimeOffset.UtcNow - connectedAt, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        Assert.True(json.RootElement.TryGetProperty("LastActiveAt", out _));
    }

    [Fact]
    public async Task Delete_closes_the_socket_fires_disconnect_and_then_answers_410()
    {
        var (socket, id) = await fixture.ConnectAsync(fixture.Rooms, "/ws");
        using var owned = socket;

        var delete = await fixture.Client.DeleteAsync(PathOf(id));

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Null(await GatewayFixture.ReceiveTextAsync(socket));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        var disconnect = await fixture.DisconnectEventAsync(fixture.Rooms, id);
        Assert.Equal(1000, disconnect.RequestContext.DisconnectStatusCode);

        Assert.Equal(HttpStatusCode.Gone, (await fixture.Client.DeleteAsync(PathOf(id))).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await fixture.Client.GetAsync(PathOf(id))).StatusCode);
        var post = await fixture.Client.PostAsync(PathOf(id), new StringContent("x"));
        Assert.Equal(HttpStatusCode.Gone, post.StatusCode);
        Assert.Equal("GoneException", post.Headers.GetValues("x-amzn-ErrorType").Single());
    }

    [Fact]
    public async Task Unknown_connection_is_410_and_unknown_stage_is_403()
    {
        Assert.Equal(
            HttpStatusCode.Gone,
            (await fixture.Client.PostAsync(PathOf("Nope0000000000w="), new StringContent("x"))).StatusCode
        );
        Assert.Equal(
            HttpStatusCode.Forbidden,
            (await fixture.Client.GetAsync(PathOf("Nope0000000000w=", "prod"))).StatusCode
        );
    }

    [Fact]
    public async Task Post_over_128_KB_is_413_and_nothing_reaches_the_client()
    {
        var (socket, id) = await fixture.ConnectAsync(fixture.Rooms, "/ws");
        using var owned = socket;

        var response = await fixture.Client.PostAsync(
            PathOf(id),
            new ByteArrayContent(new byte[IConnectionSender.MaxPayloadBytes + 1])
        );
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);

        await fixture.Client.PostAsync(PathOf(id), new StringContent("next"));
        Assert.Equal("next", await GatewayFixture.ReceiveTextAsync(socket));
    }

    [Fact]
    public async Task The_aws_management_client_works_against_the_local_gateway()
    {
        var (socket, id) = await fixture.ConnectAsync(fixture.Rooms, "/ws");
        using var owned = socket;
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add(GatewayOptions.ConnectionsSecretHeader, fixture.ConnectionsSecret);
        var client = new ApiGatewayManagementClient(
            http,
            new Uri(fixture.Stack.BaseUrl, "local"),
            new EnvironmentCredentialsProvider(name =>
                name switch
                {
                    "AWS_ACCESS_KEY_ID" => "AKIDLOCAL",
                    "AWS_SECRET_ACCESS_KEY" => "local-secret",
                    _ => null,
                }
            ),
            "local"
        );

        Assert.Equal(SendStatus.Sent, await client.SendAsync(id, "via-management-client"u8.ToArray()));
        Assert.Equal("via-management-client", await GatewayFixture.ReceiveTextAsync(socket));
        Assert.Equal("127.0.0.1", (await client.GetConnectionAsync(id))!.SourceIp);
        Assert.True(await client.DeleteConnectionAsync(id));
        Assert.Equal(SendStatus.Gone, await client.SendAsync(id, "x"u8.ToArray()));
        Assert.Null(await client.GetConnectionAsync(id));
    }

    [Fact]
    public async Task A_caller_without_the_process_secret_is_forbidden_and_nothing_reaches_the_socket()
    {
        var (socket, id) = await fixture.ConnectAsync(fixture.Rooms, "/ws");
        using var owned = socket;
        using var stranger = new HttpClient { BaseAddress = fixture.Stack.BaseUrl };

        var forged = await stranger.PostAsync(PathOf(id), new StringContent("""{"action":"Answer","sdp":"forged"}"""));
        using var wrong = new HttpRequestMessage(HttpMethod.Post, PathOf(id))
        {
            Content = new StringContent("forged too"),
        };
        wrong.Headers.Add(GatewayOptions.ConnectionsSecretHeader, "not-the-secret");
        var withWrongSecret = await stranger.SendAsync(wrong);
        var delete = await stranger.DeleteAsync(PathOf(id));

        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal("ForbiddenException", forged.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Equal(HttpStatusCode.Forbidden, withWrongSecret.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        // The trusted path still works, and its message is the first the socket sees.
        Assert.Equal(
            HttpStatusCode.OK,
            (await fixture.Client.PostAsync(PathOf(id), new StringContent("genuine"))).StatusCode
        );
        Assert.Equal("genuine", await GatewayFixture.ReceiveTextAsync(socket));
    }
}
