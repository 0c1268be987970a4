using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.State;
using Xunit;

namespace MobZ.TestKit.Redis;

/// <summary>
/// A Redis Cluster for tests: three masters (<c>redis-server --cluster-enabled yes</c> on 127.0.0.1, no
/// replicas, no persistence) joined by <c>redis-cli --cluster create</c>, ready once every node reports
/// <c>cluster_state:ok</c>. One cluster serves the whole test process (started by the first fixture, killed
/// when the process exits; each node's watchdog also kills it if the process dies). With
/// <c>MOBZ_TEST_REDIS_CLUSTER=host:port</c> an existing cluster is used instead (keys and channels of each backend
/// under a fresh prefix). Use as <c>IClassFixture&lt;RedisCluster&gt;</c>.
/// </summary>
public sealed class RedisCluster : IAsyncLifetime
{
    public const string EnvironmentVariable = "MOBZ_TEST_REDIS_CLUSTER";
    private const int Masters = 3;
    private const string CliPath = "/usr/bin/redis-cli";
    private static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(30);
    private static readonly Lock SharedGate = new();
    private static Task<IReadOnlyList<RedisServer>>? _shared;

    /// <summary>"host:port,host:port,...,protocol=resp3": every master, as StackExchange.Redis takes it (one would do;
    /// the client discovers the others, as from an ElastiCache configuration endpoint).</summary>
    public string Configuration { get; private set; } = "";

    /// <summary>The nodes this process started (empty when using MOBZ_TEST_REDIS_CLUSTER).</summary>
    public IReadOnlyList<RedisServer> Nodes { get; private set; } = [];

    /// <summary>
    /// A prefix as production uses one (no hash tag): each key's slot comes from the key itself, so keys spread
    /// over all masters and a transaction must give its keys one {hash tag}.
    /// </summary>
    public static string NewKeyPrefix() => $"mobz-test:{Guid.NewGuid():N}:";

    /// <summary>
    /// A prefix that is itself a hash tag, so every key under it lands in one slot whatever the key: for suites
    /// written for a single server (multi-key transactions on untagged keys) run unchanged on the cluster.
    /// </summary>
    public static string NewSingleSlotKeyPrefix() => $"mobz-test:{{{Guid.NewGuid():N}}}:";

    /// <summary>A Redis backend on the cluster under <paramref name="keyPrefix"/> (default: a fresh untagged
    /// one).</summary>
    public Task<IStateBackend> CreateBackendAsync(string? keyPrefix = null, ILoggerFactory? loggerFactory = null) =>
        StateBackend.CreateAsync(
            Configuration,
            loggerFactory ?? NullLoggerFactory.Instance,
            keyPrefix ?? NewKeyPrefix()
        );

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            Configuration = external.Trim();
            return;
        }

        Task<IReadOnlyList<RedisServer>> shared;
        lock (SharedGate)
            shared = _shared ??= StartSharedAsync();
        Nodes = await shared.ConfigureAwait(false);
        // RESP3, as docs/state.md asks for on a cluster: a node's commands and subscriptions share one link there,
        // so the readiness PING after a SUBSCRIBE follows it (on RESP2 a reply could beat the SUBSCRIBE).
        Configuration =
            string.Join(',', Nodes.Select(n => $"127.0.0.1:{n.Port.ToString(CultureInfo.InvariantCulture)}"))
            + ",protocol=resp3";
    }

    /// <summary>The process's cluster, for harnesses that are not xunit fixtures.</summary>
    public static async Task<RedisCluster> SharedAsync()
    {
        var cluster = new RedisCluster();
        await cluster.InitializeAsync().ConfigureAwait(false);
        return cluster;
    }

    /// <summary>The shared cluster outlives each fixture; the process exit takes it down.</summary>
    public Task DisposeAsync() => Task.CompletedTask;

    private static async Task<IReadOnlyList<RedisServer>> StartSharedAsync()
    {
        var nodes = new List<RedisServer>();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var node in nodes)
                node.KillNow();
        };
        for (var i = 0; i < Masters; i++)
        {
            nodes.Add(
                await RedisServer
                    .StartNodeAsync(
                        RedisServer.FreePort(),
                        [
                            "--cluster-enabled",
                            "yes",
                            "--cluster-port",
                            RedisServer.FreePort().ToString(CultureInfo.InvariantCulture),
                            "--cluster-config-file",
                            "nodes.conf",
                            "--cluster-node-timeout",
                            "2000",
                        ]
                    )
                    .ConfigureAwait(false)
            );
        }

        await CreateAsync(nodes).ConfigureAwait(false);
        foreach (var node in nodes)
        {
            await Eventually
                .WaitUntilAsync(
                    async () =>
                        (await node.CommandAsync("CLUSTER", "INFO").ConfigureAwait(false) ?? "").Contains(
                            "cluster_state:ok",
                            StringComparison.Ordinal
                        ),
                    FormTimeout,
                    $"cluster node 127.0.0.1:{node.Port} reports cluster_state:ok"
                )
                .ConfigureAwait(false);
        }

        return nodes;
    }

    private static async Task CreateAsync(IReadOnlyList<RedisServer> nodes)
    {
        var info = new ProcessStartInfo(CliPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--cluster");
        info.ArgumentList.Add("create");
        foreach (var node in nodes)
            info.ArgumentList.Add($"127.0.0.1:{node.Port.ToString(CultureInfo.InvariantCulture)}");
        info.ArgumentList.Add("--cluster-replicas");
        info.ArgumentList.Add("0");
        info.ArgumentList.Add("--cluster-yes");
        using var cli = Process.Start(info) ?? throw new InvalidOperationException($"{CliPath} did not start");
        var output = cli.StandardOutput.ReadToEndAsync();
        var errors = cli.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(FormTimeout);
        await cli.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        if (cli.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"redis-cli --cluster create failed ({cli.ExitCode}):\n{await output.ConfigureAwait(false)}\n"
                    + await errors.ConfigureAwait(false)
            );
        }
    }
}
