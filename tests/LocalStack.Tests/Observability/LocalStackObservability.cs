using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.LocalStack.Hosting;

namespace MobZ.LocalStack.Tests.Observability;

/// <summary>A local stack with rooms and a Munit on loopback (no Pixel Streaming streamer, no HLS), and the calls the
/// tests make on it.</summary>
internal static class LocalStackObservability
{
    public static Task<RunningLocalStack> StartAsync(
        string redis = "",
        string? prefix = null,
        Action<WebApplicationBuilder>? more = null
    ) =>
        LocalStackHost.StartAsync(
            new LocalStackOptions
            {
                Urls = "http://127.0.0.1:0",
                Redis = redis,
                RedisKeyPrefix = prefix,
                MinimumLogLevel = LogLevel.Warning,
                PrintReadyLine = false,
                Capabilities = b =>
                {
                    b.Services.AddMobZRooms();
                    b.Services.AddMunit(o =>
                        {
                            o.BindAddress = "127.0.0.1";
                            o.Port = 0;
                        })
                        .AddRegulator();
                    more?.Invoke(b);
                },
            }
        );

    public static async Task<string> ScrapeAsync(Uri baseUrl)
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(new Uri(baseUrl, "metrics"));
    }

    /// <summary>The value of the first sample whose name is <paramref name="series"/> and whose labels include every
    /// one given.</summary>
    public static double? Sample(string scrape, string series, params string[] labels)
    {
        foreach (var line in scrape.Split('\n'))
        {
            if (
                line.StartsWith('#')
                || !line.StartsWith(series + "{", StringComparison.Ordinal)
                    && !line.StartsWith(series + " ", StringComparison.Ordinal)
            )
            {
                continue;
            }

            int close = line.LastIndexOf('}');
            string labelText = close > 0 ? line[..close] : "";
            if (!labels.All(l => labelText.Contains(l, StringComparison.Ordinal)))
                continue;
            var fields = line[(close + 1)..].Trim().Split(' ');
            return double.Parse(fields[0], CultureInfo.InvariantCulture);
        }
        return null;
    }

    public static async Task<ClientWebSocket> ConnectAsync(RunningLocalStack stack, string path, string? userId = null)
    {
        var socket = new ClientWebSocket();
        // The rooms API admits only sockets with an access token; the stack's own development key signs one.
        var url = path == "/ws" ? stack.RoomsUrl(userId: userId) : stack.WebSocketUrl(path);
        await socket.ConnectAsync(url, CancellationToken.None);
        return socket;
    }

    public static Task SendAsync(WebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Reads messages until one contains <paramref name="needle"/>.</summary>
    public static async Task<string> ReceiveUntilAsync(WebSocket socket, string needle)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, timeout.Token);
                message.Write(buffer, 0, result.Count);
            } while (!result.EndOfMessage);
            var text = Encoding.UTF8.GetString(message.ToArray());
            if (text.Contains(needle, StringComparison.Ordinal))
                return text;
        }
    }
}
