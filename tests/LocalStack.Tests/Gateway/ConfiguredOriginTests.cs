using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.LocalStack.Hosting;
using MobZ.Signaling.Abstractions;
using MobZ.TestKit.WebSockets;

namespace MobZ.LocalStack.Tests.Gateway;

/// <summary>An operator's origin allow-list, given as configuration (command line or environment), replaces the
/// default of the stack's own origin and loopback pages.</summary>
public sealed class ConfiguredOriginTests : IAsyncLifetime
{
    private RunningLocalStack _stack = null!;

    public async Task InitializeAsync()
    {
        var rooms = new RecordingHandler(() => _stack.Services.GetRequiredService<IConnectionSender>());
        _stack = await LocalStackHost.StartAsync(
            new LocalStackOptions
            {
                Args = [$"--{LocalStackHost.AllowedOriginsKey}=https://app.example, https://ops.example/"],
                Urls = "http://127.0.0.1:0",
                Redis = "",
                MinimumLogLevel = LogLevel.Warning,
                PrintReadyLine = false,
                Capabilities = builder =>
                    builder.AddWebSocketApi("/ws", "$request.body.action", _ => rooms, r => r with { Stage = "local" }),
            }
        );
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Theory]
    [InlineData("https://app.example")]
    [InlineData("https://ops.example")]
    public async Task A_listed_origin_is_let_in(string origin)
    {
        using var client = await NonReadingWebSocket.ConnectAsync(_stack.WebSocketUrl("/ws"), origin);
    }

    [Fact]
    public async Task Loopback_pages_and_the_stacks_own_origin_are_refused_once_a_list_is_configured()
    {
        var own = _stack.BaseUrl.GetLeftPart(UriPartial.Authority);
        foreach (var origin in new[] { "http://localhost:5173", own })
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                NonReadingWebSocket.ConnectAsync(_stack.WebSocketUrl("/ws"), origin)
            );
            Assert.Contains("403", refused.Message);
        }
    }
}
