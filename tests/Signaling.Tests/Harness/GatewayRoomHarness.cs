using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.LocalStack.Hosting;
using MobZ.Signaling.Rooms;
using MobZ.State;
using MobZ.TestKit.Redis;

namespace MobZ.Signaling.Tests.Harness;

/// <summary>
/// The real local stack (API-Gateway-compatible gateway, @connections, state backend) on a free loopback
/// port with MobZ rooms mounted at /ws; clients are real <see cref="ClientWebSocket"/>s.
/// </summary>
public sealed class GatewayRoomHarness : RoomHarness
{
    private readonly RunningLocalStack _stack;

    private GatewayRoomHarness(RunningLocalStack stack)
        : base(stack.Services.GetRequiredService<IStateBackend>(), ownsBackend: false) => _stack = stack;

    public override IServiceProvider Services => _stack.Services;

    /// <summary>ws:// address of a path on this stack, for clients the harness does not drive (e.g. one that never
    /// reads).</summary>
    public Uri WebSocketUrl(string path) => _stack.WebSocketUrl(path);

    public static async Task<GatewayRoomHarness> StartAsync(
        string backend,
        RedisServer redis,
        Action<RoomOptions>? configure,
        Action<MobZ.Access.AccessTokenOptions>? access = null
    )
    {
        var (configuration, prefix) = await Backends.StackRedisAsync(backend, redis);
        var stack = await LocalStackHost.StartAsync(
            new LocalStackOptions
            {
                Urls = "http://127.0.0.1:0",
                Redis = configuration,
                RedisKeyPrefix = prefix,
                MinimumLogLevel = LogLevel.Warning,
                PrintReadyLine = false,
                Capabilities = builder =>
                {
                    builder.Services.AddMobZRooms(TestOptions(configure));
                    if (access is not null)
                        builder.Services.Configure(access);
                },
            }
        );
        return new GatewayRoomHarness(stack);
    }

    protected override async Task<TestClient?> ConnectCoreAsync(string? token)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            await socket.ConnectAsync(
                _stack.WebSocketUrl(
                    token is null ? "/ws" : $"/ws?{RoomDoor.TokenParameter}={Uri.EscapeDataString(token)}"
                ),
                CancellationToken.None
            );
        }
        catch (WebSocketException)
            when (socket.HttpStatusCode is not System.Net.HttpStatusCode.SwitchingProtocols and not 0)
        {
            LastConnectStatus = (int)socket.HttpStatusCode;
            LastConnectRetryAfter = socket
                .HttpResponseHeaders?.FirstOrDefault(h =>
                    string.Equals(h.Key, "Retry-After", StringComparison.OrdinalIgnoreCase)
                )
                .Value?.FirstOrDefault();
            socket.Dispose();
            return null;
        }
        LastConnectStatus = 200;
        LastConnectRetryAfter = null;
        var client = new WebSocketClient(socket);
        await client.LearnIdAsync();
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _stack.DisposeAsync();
    }

    private sealed class WebSocketClient : TestClient
    {
        private readonly ClientWebSocket _socket;
        private readonly Task _receiving;
        private readonly SemaphoreSlim _sendLock = new(1, 1);
        private string _id = "(unknown)";
        private volatile bool _closed;

        public WebSocketClient(ClientWebSocket socket)
        {
            _socket = socket;
            _receiving = Task.Run(ReceiveLoopAsync);
        }

        public override string ConnectionId => _id;
        public override bool IsOpen => !_closed && _socket.State == WebSocketState.Open;

        /// <summary>HeartbeatAck carries the connection id, which API Gateway never tells a client otherwise.</summary>
        public async Task LearnIdAsync()
        {
            await SendAsync(new { action = "Heartbeat", requestId = "whoami" });
            var ack = await NextAsync("HeartbeatAck", m => m.GetProperty("requestId").GetString() == "whoami");
            _id = ack.GetProperty("participantId").GetString()!;
        }

        public override async Task SendRawAsync(string text)
        {
            await _sendLock.WaitAsync();
            try
            {
                await _socket.SendAsync(
                    Encoding.UTF8.GetBytes(text),
                    WebSocketMessageType.Text,
                    true,
                    CancellationToken.None
                );
            }
            finally
            {
                _sendLock.Release();
            }
        }

        private async Task ReceiveLoopAsync()
        {
            var buffer = new ArrayBufferWriter<byte>();
            try
            {
                while (_socket.State == WebSocketState.Open)
                {
                    var result = await _socket.ReceiveAsync(buffer.GetMemory(16 * 1024), CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                        break;
                    buffer.Advance(result.Count);
                    if (!result.EndOfMessage)
                        continue;
                    OnMessage(Encoding.UTF8.GetString(buffer.WrittenSpan));
                    buffer.ResetWrittenCount();
                }
            }
            catch (Exception ex)
                when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
            {
                // Aborted by the test, or dropped by the server: either way this client is closed now.
            }
            finally
            {
                _closed = true;
            }
        }

        public override async Task CloseAsync()
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
            await _receiving.WaitAsync(TimeSpan.FromSeconds(5));
        }

        /// <summary>
        /// Drops the TCP connection without a close handshake. A real gateway still notices and runs
        /// $disconnect; the Gone path without $disconnect is covered by the direct harness.
        /// </summary>
        public override Task AbortAsync()
        {
            _socket.Abort();
            return Task.CompletedTask;
        }

        public override async ValueTask DisposeAsync()
        {
            _socket.Abort();
            try
            {
                await _receiving.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException) { }
            _socket.Dispose();
            _sendLock.Dispose();
        }
    }
}
