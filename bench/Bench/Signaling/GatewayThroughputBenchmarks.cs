using System.Net.WebSockets;
using System.Text;
using BenchmarkDotNet.Attributes;

namespace MobZ.Bench.Signaling;

/// <summary>
/// Messages per second through the whole local stack: real WebSocket clients on loopback → the
/// API-Gateway-compatible gateway → the rooms handler → the state backend → @connections → back out.
/// One operation is one delivered message, so messages/s = 1 s / mean.
/// </summary>
[MemoryDiagnoser]
public class GatewayThroughputBenchmarks
{
    private const int HeartbeatsPerClient = 20;

    private RedisProcess? _redis;
    private LocalStackProcess _stack = null!;
    private BenchClient[] _clients = [];
    private bool _toggle;

    [Params("in-process", "redis")]
    public string Backend { get; set; } = "in-process";

    [Params(50)]
    public int Clients { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        if (Backend == "redis")
            _redis = RedisProcess.Start();
        _stack = LocalStackProcess.Start(_redis?.Configuration);
        _clients = new BenchClient[Clients];
        string room = "bench-" + Guid.NewGuid().ToString("N")[..8];
        for (int i = 0; i < Clients; i++)
        {
            _clients[i] = await BenchClient.ConnectAsync(await _stack.RoomsUrlAsync(room));
            await _clients[i].SendAsync($$"""{"action":"Join","roomId":"{{room}}","roomKind":"m2m","role":"viewer"}""");
            await _clients[i].WaitForAsync("JoinAck", 1);
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        foreach (var c in _clients)
            await c.DisposeAsync();
        _stack.Dispose();
        _redis?.Dispose();
    }

    /// <summary>Every client sends 20 Heartbeats back to back and waits for its 20 HeartbeatAcks.</summary>
    [Benchmark(Description = "Heartbeat round trip, per message", OperationsPerInvoke = 50 * HeartbeatsPerClient)]
    public Task HeartbeatRoundTrips() =>
        Task.WhenAll(
            _clients.Select(async c =>
            {
                long target = c.Count("HeartbeatAck") + HeartbeatsPerClient;
                for (int i = 0; i < HeartbeatsPerClient; i++)
                    await c.SendAsync("""{"action":"Heartbeat"}""");
                await c.WaitForAsync("HeartbeatAck", target);
            })
        );

    /// <summary>One client's UpdateVideo delivered to the other 49.</summary>
    [Benchmark(Description = "UpdateVideo fan-out, per delivery", OperationsPerInvoke = 49)]
    public async Task UpdateVideoFanOut()
    {
        var targets = _clients.Skip(1).Select(c => (c, c.Count("UpdateVideo") + 1)).ToList();
        _toggle = !_toggle;
        await _clients[0]
            .SendAsync(
                _toggle ? """{"action":"UpdateVideo","video":false}""" : """{"action":"UpdateVideo","video":true}"""
            );
        await Task.WhenAll(targets.Select(t => t.c.WaitForAsync("UpdateVideo", t.Item2)));
    }

    private sealed class BenchClient : IAsyncDisposable
    {
        private readonly ClientWebSocket _socket = new();
        private readonly Dictionary<string, long> _counts = [];
        private readonly List<(string Action, long Target, TaskCompletionSource Done)> _waiters = [];
        private readonly SemaphoreSlim _sendLock = new(1, 1);
        private Task _receiving = Task.CompletedTask;

        public static async Task<BenchClient> ConnectAsync(Uri url)
        {
            var client = new BenchClient();
            await client._socket.ConnectAsync(url, CancellationToken.None);
            client._receiving = Task.Run(client.ReceiveLoopAsync);
            return client;
        }

        public long Count(string action)
        {
            lock (_counts)
                return _counts.GetValueOrDefault(action);
        }

        public Task WaitForAsync(string action, long target)
        {
            lock (_counts)
            {
                if (_counts.GetValueOrDefault(action) >= target)
                    return Task.CompletedTask;
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((action, target, done));
                return done.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
        }

        public async Task SendAsync(string json)
        {
            await _sendLock.WaitAsync();
            try
            {
                await _socket.SendAsync(
                    Encoding.UTF8.GetBytes(json),
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
            var buffer = new byte[64 * 1024];
            int filled = 0;
            try
            {
                while (true)
                {
                    var result = await _socket.ReceiveAsync(buffer.AsMemory(filled), CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                        return;
                    filled += result.Count;
                    if (!result.EndOfMessage)
                        continue;
                    string action = ActionOf(buffer.AsSpan(0, filled));
                    filled = 0;
                    lock (_counts)
                    {
                        long n = _counts[action] = _counts.GetValueOrDefault(action) + 1;
                        for (int i = _waiters.Count - 1; i >= 0; i--)
                        {
                            if (_waiters[i].Action == action && n >= _waiters[i].Target)
                            {
                                _waiters[i].Done.TrySetResult();
                                _waiters.RemoveAt(i);
                            }
                        }
                    }
                }
            }
            catch (Exception ex)
                when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException) { }
        }

        /// <summary>Server messages start with "action", so a prefix read is enough.</summary>
        private static string ActionOf(ReadOnlySpan<byte> json)
        {
            var prefix = "{\"action\":\""u8;
            if (!json.StartsWith(prefix))
                return "";
            var rest = json[prefix.Length..];
            int end = rest.IndexOf((byte)'"');
            return end < 0 ? "" : Encoding.UTF8.GetString(rest[..end]);
        }

        public async ValueTask DisposeAsync()
        {
            _socket.Abort();
            await _receiving;
            _socket.Dispose();
            _sendLock.Dispose();
        }
    }
}
