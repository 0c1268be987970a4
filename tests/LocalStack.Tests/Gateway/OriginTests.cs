using MobZ.TestKit.WebSockets;

namespace MobZ.LocalStack.Tests.Gateway;

/// <summary>By default a browser may open /ws only from the stack's own origin or a loopback page.</summary>
[Collection(GatewayCollection.Name)]
public sealed class OriginTests(GatewayFixture fixture)
{
    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("http://192.0.2.10:8080")]
    [InlineData("null")]
    public async Task An_upgrade_from_a_foreign_origin_is_refused_with_403_before_connect(string origin)
    {
        var tag = Guid.NewGuid().ToString("N");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            NonReadingWebSocket.ConnectAsync(fixture.Stack.WebSocketUrl($"/ws?client={tag}"), origin)
        );

        Assert.Contains("403", refused.Message);
        Assert.DoesNotContain(fixture.Rooms.Events, e => e.QueryStringParameters?.GetValueOrDefault("client") == tag);
    }

    [Fact]
    public async Task The_stacks_own_origin_loopback_pages_and_clients_without_origin_are_let_in()
    {
        var own = fixture.Stack.BaseUrl.GetLeftPart(UriPartial.Authority);
        foreach (var origin in new[] { own, "http://localhost:5173", null })
        {
            using var client = await NonReadingWebSocket.ConnectAsync(fixture.Stack.WebSocketUrl("/ws"), origin);
        }
    }
}
