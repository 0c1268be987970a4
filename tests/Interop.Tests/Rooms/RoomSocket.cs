using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace MobZ.Interop.Tests.Rooms;

/// <summary>A room-protocol client over a real WebSocket, for peers that are not browsers (aiortc).</summary>
public sealed class RoomSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Channel<JsonObject> _inbox = Channel.CreateUnbounded<JsonObject>();
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;

    public static async Task<RoomSocket> ConnectAsync(Uri url)
    {
        var client = new RoomSocket();
        await client._socket.ConnectAsync(url, CancellationToken.None);
        client._reader = client.ReadAsync();
        return client;
    }

    public Task SendAsync(object message) =>
        _socket.SendAsync(
            Encoding.UTF8.GetBytes(JsonSerializer.Serialize(message)),
            WebSocketMessageType.Text,
            true,
            CancellationToken.None
        );

    /// <summary>The next message with this action; others are skipped. Fails the test on timeout or an Error
    /// reply.</summary>
    public async Task<JsonObject> ReceiveAsync(string action, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            JsonObject message;
            try
            {
                message = await _inbox.Reader.ReadAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no {action} within {timeout}");
            }
            var got = message["action"]?.GetValue<string>();
            if (got == action)
                return message;
            if (got == "Error")
            {
                throw new InvalidOperationException(
                    $"server error while waiting for {action}: {message.ToJsonString()}"
                );
            }
        }
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[256 * 1024];
        while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                try
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), _stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or WebSocketException)
                {
                    return;
                }
                if (result.MessageType == WebSocketMessageType.Close)
                    return;
                length += result.Count;
            } while (!result.EndOfMessage);
            if (JsonNode.Parse(buffer.AsSpan(0, length)) is JsonObject message)
                await _inbox.Writer.WriteAsync(message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            }
            catch (WebSocketException) { }
        }
        await _reader;
        _socket.Dispose();
        _stop.Dispose();
    }
}
