using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MobZ.LocalStack.Gateway;
using MobZ.Signaling.Abstractions;
using MobZ.TestKit;
using MobZ.TestKit.WebSockets;

namespace MobZ.LocalStack.Tests.Gateway;

/// <summary>
/// What one client can make the gateway hold is bounded in bytes, in both directions, and measured by the
/// gateway's own counters: past the bound the client is closed with 1008, and nobody waits for it.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class BoundedQueueTests(GatewayFixture fixture)
{
    private static readonly TimeSpan Timeout = GatewayFixture.Timeout;

    private GatewayMetrics Metrics => fixture.Stack.Services.GetRequiredService<ConnectionRegistry>().Metrics;
    private GatewayOptions Options => fixture.Stack.Services.GetRequiredService<GatewayOptions>();

    private async Task<(NonReadingWebSocket Client, string ConnectionId)> ConnectNonReaderAsync()
    {
        var tag = Guid.NewGuid().ToString("N");
        var client = await NonReadingWebSocket.ConnectAsync(fixture.Stack.WebSocketUrl($"/ws?client={tag}"));
        var connect = await Eventually.ValueAsync(
            () =>
                Task.FromResult(
                    fixture.Rooms.Events.FirstOrDefault(e =>
                        e.RequestContext.EventType == EventTypes.Connect && e.QueryStringParameters?["client"] == tag
                    )
                ),
            Timeout,
            "$connect is delivered"
        );
        return (client, connect.RequestContext.ConnectionId);
    }

    [Fact]
    public async Task Posts_to_a_client_that_never_reads_never_wait_and_it_is_closed_with_1008_past_the_backlog_limit()
    {
        var (client, id) = await ConnectNonReaderAsync();
        using var owned = client;
        long slowBefore = Metrics.SlowConsumersClosed;
        var payload = Encoding.UTF8.GetBytes(new string('p', 64 * 1024));
        long maxQueued = 0;

        // Far more than kernel buffers and the backlog hold together; each post gets a deadline of its own.
        SendStatus status = SendStatus.Sent;
        int posts = 0;
        for (; posts < 400 && status == SendStatus.Sent; posts++)
        {
            using var deadline = new CancellationTokenSource(Timeout);
            status = await fixture.Sender.SendAsync(id, payload, deadline.Token);
            maxQueued = Math.Max(
                maxQueued,
                fixture.Stack.Services.GetRequiredService<ConnectionRegistry>().TryGet(id, out var c)
                    ? c.OutboundQueuedBytes
                    : 0
            );
        }

        Assert.Equal(SendStatus.Gone, status);
        Assert.True(maxQueued <= Options.MaxOutboundBytesPerConnection, $"{maxQueued} bytes queued for one connection");
        Assert.True(Metrics.SlowConsumersClosed > slowBefore);
        var disconnect = await fixture.DisconnectEventAsync(fixture.Rooms, id);
        Assert.Equal(1008, disconnect.RequestContext.DisconnectStatusCode);
        Assert.StartsWith("Slow consumer", disconnect.RequestContext.DisconnectReason);
        Assert.NotNull(await client.CloseStatusAsync(Timeout)); // the TCP connection is ended, not left open
    }

    [Fact]
    public async Task A_client_whose_unhandled_messages_exceed_the_inbound_limit_is_closed_with_1008()
    {
        fixture.Rooms.ResetGate();
        var (client, id) = await ConnectNonReaderAsync();
        using var owned = client;
        long overflowsBefore = Metrics.InboundOverflowsClosed;
        try
        {
            await client.SendTextAsync("""{"action":"block"}""");
            var filler = new string('f', 60 * 1024);
            // 40 × 60 KB: over the 1 MB limit while the handler is still on the first message.
            for (int i = 0; i < 40; i++)
                await client.SendTextAsync($$"""{"action":"m","seq":{{i}},"filler":"{{filler}}"}""");

            Assert.Equal(1008, await client.CloseStatusAsync(Timeout));
            Assert.True(Metrics.InboundOverflowsClosed > overflowsBefore);
            Assert.True(
                Metrics.InboundQueuedBytes
                    <= Options.MaxInboundBytesPerConnection
                        * Math.Max(1, fixture.Stack.Services.GetRequiredService<ConnectionRegistry>().Count)
            );
        }
        finally
        {
            fixture.Rooms.Gate.TrySetResult();
        }
        var disconnect = await fixture.DisconnectEventAsync(fixture.Rooms, id);
        Assert.Equal(1008, disconnect.RequestContext.DisconnectStatusCode);
    }
}
