using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MobZ.Bench.Signaling;

/// <summary>
/// The Redis the signaling benchmarks use: MOBZ_TEST_REDIS when set, otherwise a throwaway
/// /usr/bin/redis-server without persistence on a free 127.0.0.1 port.
/// </summary>
public sealed class RedisProcess : IDisposable
{
    private Process? _process;

    public string Configuration { get; private set; } = "";

    public static RedisProcess Start()
    {
        var redis = new RedisProcess();
        var shared = Environment.GetEnvironmentVariable("MOBZ_TEST_REDIS");
        if (!string.IsNullOrWhiteSpace(shared))
        {
            redis.Configuration = shared;
            return redis;
        }
        int port = FreePort();
        redis._process = Process.Start(
            new ProcessStartInfo(
                "/usr/bin/redis-server",
                $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no --protected-mode yes"
            )
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            }
        ) ?? throw new InvalidOperationException("redis-server did not start");
        redis.Configuration = $"127.0.0.1:{port}";
        WaitUntilListening(port);
        return redis;
    }

    private static void WaitUntilListening(int port)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(20); // Process start-up, not a test: nothing to poll but the port.
            }
        }
        throw new TimeoutException($"redis-server did not listen on {port}");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process?.Dispose();
    }
}
