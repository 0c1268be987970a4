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
}
