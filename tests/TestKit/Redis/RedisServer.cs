using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.State;
using Xunit;

namespace MobZ.TestKit.Redis;

/// <summary>
/// A Redis for tests. With <c>MOBZ_TEST_REDIS=host:port</c> set it uses that (shared) server; otherwise it
/// starts a throwaway <c>/usr/bin/redis-server</c> on a free 127.0.0.1 port, without persistence, and kills
/// it on dispose. Test projects may run at the same time against one shared server, so every backend this
/// fixture creates namespaces its keys and channels under a prefix unique to the fixture (or to the call,
/// see <see cref="NewKeyPrefix"/>), and dispose deletes exactly those keys.
/// Use as <c>IClassFixture&lt;RedisServer&gt;</c> / collection fixture, or <see cref="StartAsync"/> directly.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    public const string EnvironmentVariable = "MOBZ_TEST_REDIS";
    private const string ServerPath = "/usr/bin/redis-server";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly bool _private;
    private readonly List<string> _prefixes = [];
    private readonly IReadOnlyList<string> _extraArguments = [];
    private Process? _process;
    private int _serverPid;
    private string? _directory;
    private readonly Queue<string> _serverLog = new();

    /// <summary>For xunit fixtures: the shared server when configured, else a private one.</summary>
    public RedisServer()
        : this(forcePrivate: false) { }

    private RedisServer(bool forcePrivate)
    {
        var shared = Environment.GetEnvironmentVariable(EnvironmentVariable);
        _private = forcePrivate || string.IsNullOrWhiteSpace(shared);
        if (!_private)
        {
            var endpoint = shared!.Split(',')[0].Trim();
            var colon = endpoint.LastIndexOf(':');
            Host = colon > 0 ? endpoint[..colon] : endpoint;
            Port = colon > 0 ? int.Parse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture) : 6379;
        }

        KeyPrefix = NewKeyPrefix();
    }

    /// <summary>A private server on a given port with extra redis-server arguments (a node of <see
    /// cref="RedisCluster"/>).</summary>
    private RedisServer(int port, IReadOnlyList<string> extraArguments)
        : this(forcePrivate: true)
    {
        Port = port;
        _extraArguments = extraArguments;
    }

    internal static async Task<RedisServer> StartNodeAsync(int port, IReadOnlyList<string> extraArguments)
    {
        var server = new RedisServer(port, extraArguments);
        await server.InitializeAsync().ConfigureAwait(false);
        return server;
    }

    public string Host { get; private set; } = "127.0.0.1";
    public int Port { get; private set; }

    /// <summary>"host:port", as <see cref="StateBackend.CreateAsync"/> and MOBZ_REDIS take it.</summary>
    public string Configuration => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>True when this fixture started (and may restart) its own server.</summary>
    public bool IsPrivate => _private;

    /// <summary>The prefix of every key and channel of backends made by <see cref="CreateBackendAsync"/> without
    /// one.</summary>
    public string KeyPrefix { get; }

    /// <summary>Uses the shared server when configured, else starts a private one.</summary>
    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(forcePrivate: false);
        await server.InitializeAsync().ConfigureAwait(false);
        return server;
    }

    /// <summary>Always starts a private server, whatever MOBZ_TEST_REDIS says: for tests that restart it.</summary>
    public static async Task<RedisServer> StartPrivateAsync()
    {
        var server = new RedisServer(forcePrivate: true);
        await server.InitializeAsync().ConfigureAwait(false);
        return server;
    }

    /// <summary>A fresh prefix, e.g. for one test that must not see another's keys; its keys are deleted on
    /// dispose.</summary>
    public string NewKeyPrefix()
    {
        var prefix = $"mobz-test:{Guid.NewGuid():N}:";
        lock (_prefixes)
            _prefixes.Add(prefix);
        return prefix;
    }

    /// <summary>A Redis backend on this server whose keys and channels live under <paramref name="keyPrefix"/> (default
    /// <see cref="KeyPrefix"/>).</summary>
    public Task<IStateBackend> CreateBackendAsync(string? keyPrefix = null, ILoggerFactory? loggerFactory = null) =>
        StateBackend.CreateAsync(Configuration, loggerFactory ?? NullLoggerFactory.Instance, keyPrefix ?? KeyPrefix);

    /// <summary>
    /// Sends one raw command (keys unprefixed: add <see cref="KeyPrefix"/> yourself) and returns the reply as
    /// text, for assertions about what really reached the server. Replies must be simple, integer or ASCII bulk.
    /// </summary>
    public async Task<string?> CommandAsync(params string[] command)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = await RespConnection.OpenAsync(Host, Port, timeout.Token).ConfigureAwait(false);
        return await connection.CommandAsync(timeout.Token, command).ConfigureAwait(false);
    }

    public async Task InitializeAsync()
    {
        if (_private)
        {
            _directory = Directory.CreateTempSubdirectory("mobz-redis-").FullName;
            if (Port == 0)
                Port = FreePort();
            await StartProcessAsync().ConfigureAwait(false);
        }
        else
        {
            await WaitUntilAnswersAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Kills the private server (clients see the connection drop) and starts it again on the same
    /// port.</summary>
    public async Task RestartAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await StartProcessAsync().ConfigureAwait(false);
    }

    /// <summary>Kills the private server; <see cref="StartAgainAsync"/> brings it back on the same port.</summary>
    public async Task StopAsync()
    {
        EnsurePrivate();
        var process = Interlocked.Exchange(ref _process, null);
        _serverPid = 0;
        if (process is null)
            return;
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        await process.WaitForExitAsync().ConfigureAwait(false);
        process.Dispose();

        // The server itself dies with the watchdog; wait until its port is closed so a restart can bind it.
        await Eventually
            .WaitUntilAsync(
                async () =>
                {
                    try
                    {
                        using var probe = new TcpClient();
                        await probe.ConnectAsync(Host, Port).ConfigureAwait(false);
                        return false;
                    }
                    catch (SocketException)
                    {
                        return true;
                    }
                },
                StartTimeout,
                $"redis-server on port {Port} is gone"
            )
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Freezes the private server (SIGSTOP): connections stay open but nothing is answered, as in a network
    /// partition or a stalled host. <see cref="Resume"/> lets it continue.
    /// </summary>
    public void Pause() => Signal(SignalStop);

    public void Resume() => Signal(SignalContinue);

    public Task StartAgainAsync()
    {
        EnsurePrivate();
        return _process is null ? StartProcessAsync() : Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_private)
        {
            await StopAsync().ConfigureAwait(false);
            try
            {
                if (_directory is not null)
                    Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A temp dir left behind is harmless.
            }

            return;
        }

        // Shared server: remove only what this fixture's backends wrote.
        string[] prefixes;
        lock (_prefixes)
            prefixes = [.. _prefixes];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var connection = await RespConnection.OpenAsync(Host, Port, timeout.Token).ConfigureAwait(false);
        foreach (var prefix in prefixes)
        {
            await connection
                .CommandAsync(
                    timeout.Token,
                    "EVAL",
                    "local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) do n = n + redis.call('DEL', k) end return n",
                    "0",
                    prefix + "*"
                )
                .ConfigureAwait(false);
        }
    }

    /// <summary>
    /// SIGKILLs the private server at once and removes its directory, without waiting: for a process-exit handler,
    /// which the runtime cuts short (killing the watchdog first could leave the server behind).
    /// </summary>
    internal void KillNow()
    {
        if (_serverPid != 0)
            SendSignal(_serverPid, 9);
        try
        {
            if (_directory is not null)
                Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp dir left behind is harmless.
        }
    }

    private const int SignalStop = 19;
    private const int SignalContinue = 18;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private void Signal(int signal)
    {
        EnsurePrivate();
        if (_process is null || _serverPid == 0)
            throw new InvalidOperationException("The server is not running.");
        if (SendSignal(_serverPid, signal) != 0)
        {
            throw new InvalidOperationException(
                $"kill({_serverPid}, {signal}) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}"
            );
        }
    }

    // $1: the pid to outlive no longer than; $2...: the server and its arguments.
    private const string WatchdogScript = """
        owner=$1; shift
        "$@" &
        server=$!
        trap 'kill -9 "$server" 2>/dev/null; exit 0' TERM INT
        while kill -0 "$owner" 2>/dev/null && kill -0 "$server" 2>/dev/null; do sleep 1; done
        kill -9 "$server" 2>/dev/null
        wait "$server" 2>/dev/null
        """;

    private void EnsurePrivate()
    {
        if (!_private)
        {
            throw new InvalidOperationException(
                "This fixture uses the shared server from MOBZ_TEST_REDIS, which must not be stopped; use RedisServer.StartPrivateAsync()."
            );
        }
    }

    private async Task StartProcessAsync()
    {
        // redis-server runs under a small shell watchdog that kills it when this test process is gone, so a
        // test host that crashes or is killed leaves no server behind.
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory!,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(WatchdogScript);
        info.ArgumentList.Add("mobz-test-redis");
        info.ArgumentList.Add(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(ServerPath);
        foreach (
            var arg in new[]
            {
                "--port",
                Port.ToString(CultureInfo.InvariantCulture),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                _directory!,
                "--daemonize",
                "no",
            }
        )
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var arg in _extraArguments)
        {
            info.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"{ServerPath} did not start");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        try
        {
            await WaitUntilAnswersAsync().ConfigureAwait(false);
            var serverInfo = await CommandAsync("INFO", "server").ConfigureAwait(false) ?? string.Empty;
            var line = serverInfo.Split('\n').First(l => l.StartsWith("process_id:", StringComparison.Ordinal));
            _serverPid = int.Parse(line["process_id:".Length..].Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception ex)
        {
            string log;
            lock (_serverLog)
                log = string.Join('\n', _serverLog);
            throw new InvalidOperationException($"redis-server on port {Port} did not come up. Its output:\n{log}", ex);
        }
    }

    private async Task WaitUntilAnswersAsync() =>
        await Eventually
            .WaitUntilAsync(
                async () =>
                {
                    if (_private && _process is { HasExited: true })
                    {
                        throw new InvalidOperationException("redis-server exited");
                    }

                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await using var connection = await RespConnection
                        .OpenAsync(Host, Port, timeout.Token)
                        .ConfigureAwait(false);
                    return await connection.CommandAsync(timeout.Token, "PING").ConfigureAwait(false) == "PONG";
                },
                StartTimeout,
                $"Redis at {Configuration} answers PING"
            )
            .ConfigureAwait(false);

    private void Remember(string? line)
    {
        if (line is null)
            return;
        lock (_serverLog)
        {
            _serverLog.Enqueue(line);
            while (_serverLog.Count > 50)
                _serverLog.Dequeue();
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
