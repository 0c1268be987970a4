using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.Contracts;
using MobZ.LocalStack.Hosting;
using MobZ.State;
using MobZ.TestKit;

namespace MobZ.Signaling.Tests.Rooms;

/// <summary>
/// The whole `make run` stack — gateway, rooms, and the real Munit with its Regulator — so the munit signal
/// contract is exercised by both of its real sides, not by the test responder.
/// </summary>
public sealed class RealMunitTests
{
    [Fact]
    public async Task A_publishers_Chromium_offer_is_answered_by_the_real_Munit_and_a_viewer_gets_its_offer_in_JoinAck()
    {
        var stack = await LocalStackHost.StartAsync(
            new LocalStackOptions
            {
                Urls = "http://127.0.0.1:0",
                Redis = "",
                // The Munit's first answer (its certificate, cold code) took over the 5 s default on a busy machine.
                Args = ["--MobZ:Rooms:MediaRequestTimeout=00:00:30"],
                MinimumLogLevel = LogLevel.Warning,
                PrintReadyLine = false,
                Capabilities = MobZCapabilities.Add,
            }
        );
        try
        {
            await RunAsync(stack);
        }
        finally
        {
            try
            {
                await stack.DisposeAsync();
            }
            catch (ObjectDisposedException)
            {
                // MediaEngine.Dispose runs twice at host shutdown (src/Munit); not what this test is about.
            }
        }
    }

    private static async Task RunAsync(RunningLocalStack stack)
    {
        var store = stack.Services.GetRequiredService<IStateStore>();
        await Eventually.WaitUntilAsync(
            async () =>
            {
                foreach (var (id, _) in await store.SortedSetRangeByScoreAsync(MunitKeys.Registry))
                {
                    if (await store.ExistsAsync(MunitKeys.Alive(id)))
                        return true;
                }

                return false;
            },
            TimeSpan.FromSeconds(15),
            "the Regulator registered its Munit"
        );

        await using var publisher = await WsClient.ConnectAsync(stack.RoomsUrl());
        await publisher.SendAsync("""{"action":"Join","roomId":"real","roomKind":"m2m","role":"publisher"}""");
        var joinAck = await publisher.NextAsync("JoinAck");
        string stationId = joinAck.GetProperty("stationId").GetString()!;
        Assert.NotNull(await store.HashGetAsync(MunitKeys.Station(stationId), StationFields.Munit));

        string offer = await File.ReadAllTextAsync(
            Path.Combine(AppContext.BaseDirectory, "TestData", "chromium-simulcast-offer.sdp")
        );
        await publisher.SendAsync(
            System.Text.Json.JsonSerializer.Serialize(
                new
                {
                    action = "Offer",
                    requestId = "o1",
                    sdp = offer,
                }
            )
        );
        var answer = await publisher.NextAnyAsync("Answer", "Error");
        Assert.True(answer.GetProperty("action").GetString() == "Answer", $"the Munit refused the offer: {answer}");
        string answerSdp = answer.GetProperty("sdp").GetString()!;
        Assert.StartsWith("v=0", answerSdp);
        Assert.Contains("m=video", answerSdp);
        Assert.Contains("a=fingerprint:sha-256", answerSdp);

        await using var viewer = await WsClient.ConnectAsync(stack.RoomsUrl());
        await viewer.SendAsync("""{"action":"Join","roomId":"real","roomKind":"m2m","role":"viewer"}""");
        var viewerAck = await viewer.NextAsync("JoinAck");
        var published = Assert.Single(viewerAck.GetProperty("publishers").EnumerateArray());
        Assert.Equal(stationId, published.GetProperty("stationId").GetString());
        Assert.True(
            published.TryGetProperty("offerSdp", out var viewerOffer),
            $"no offer for the publisher: {viewerAck}"
        );
        Assert.Contains("m=video", viewerOffer.GetString());
    }

    /// <summary>A bare ClientWebSocket reader, independent of the room harness.</summary>
    private sealed class WsClient : IAsyncDisposable
    {
        private readonly System.Net.WebSockets.ClientWebSocket _socket = new();

        public static async Task<WsClient> ConnectAsync(Uri url)
        {
            var c = new WsClient();
            await c._socket.ConnectAsync(url, CancellationToken.None);
            return c;
        }

        public Task SendAsync(string json) =>
            _socket.SendAsync(
                System.Text.Encoding.UTF8.GetBytes(json),
                System.Net.WebSockets.WebSocketMessageType.Text,
                true,
                CancellationToken.None
            );

        public Task<System.Text.Json.JsonElement> NextAsync(string action) => NextAnyAsync(action);

        public async Task<System.Text.Json.JsonElement> NextAnyAsync(params string[] actions)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var buffer = new byte[256 * 1024];
            while (true)
            {
                int filled = 0;
                System.Net.WebSockets.ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(filled), timeout.Token);
                    filled += result.Count;
                } while (!result.EndOfMessage);
                var message = System.Text.Json.JsonDocument.Parse(buffer.AsMemory(0, filled)).RootElement.Clone();
                if (actions.Contains(message.GetProperty("action").GetString()))
                    return message;
            }
        }

        public ValueTask DisposeAsync()
        {
            _socket.Abort();
            _socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
