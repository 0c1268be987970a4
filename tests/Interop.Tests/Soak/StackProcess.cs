using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MobZ.LocalStack.Hosting;
using MobZ.TestKit.Repository;

namespace MobZ.Interop.Tests.Soak;

/// <summary>
/// The real <c>make run</c> host (src/LocalStack, built with this test project) as a child process on a free loopback
/// port, so what /proc says about it (resident memory, threads) is the server's alone — not the test's clients and
/// attackers. Killed on dispose.
/// </summary>
public sealed class StackProcess : IDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _log;
    private readonly HttpClient _http;

    // $1: the pid to outlive no longer than; $2...: the server and its arguments.
    private const string WatchdogScript = """
        owner=$1; shift
        "$@" &
        server=$!
        echo "mobz-soak-server-pid:$server"
        trap 'kill -9 "$server" 2>/dev/null; exit 0' TERM INT
        while kill -0 "$owner" 2>/dev/null && kill -0 "$server" 2>/dev/null; do sleep 1; done
        kill -9 "$server" 2>/dev/null
        wait "$server" 2>/dev/null
        """;

    private const string PidLinePrefix = "mobz-soak-server-pid:";

    private StackProcess(Process process, Uri baseUrl, Queue<string> log, int serverPid)
    {
        _process = process;
        Pid = serverPid;
        _log = log;
        BaseUrl = baseUrl;
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri BaseUrl { get; }

    /// <summary>The server's own process (not its watchdog's).</summary>
    public int Pid { get; }

    /// <param name="args">Extra host settings, e.g. "--MobZ:Rooms:MaxM2mViewers=2000".</param>
    public static async Task<StackProcess> StartAsync(string redis, params string[] args)
    {
        string config = AppContext.BaseDirectory.Contains(
            $"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}",
            StringComparison.Ordinal
        )
            ? "Release"
            : "Debug";
        string dll = Repo.PathOf("src", "LocalStack", "bin", config, "net10.0", "MobZ.LocalStack.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException($"{dll} is missing: build tests/Interop.Tests (it builds src/LocalStack)");
        // Under a small shell watchdog (as TestKit's redis-server) that kills the server when this test process is
        // gone: a test host killed by a timeout must not leave a stack behind. The watchdog prints the server's pid
        // first.
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (
            var arg in (string[])
                [
                    "-c",
                    WatchdogScript,
                    "mobz-soak-stack",
                    Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
                    "dotnet",
                    dll,
                    "--urls",
                    "http://127.0.0.1:0",
                    "--redis",
                    redis,
                    "--Logging:LogLevel:Default=Warning",
                    .. args,
                ]
        )
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var serverPid = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var early = new Queue<string>(); // the last lines of the server's output, for a failure's message
        void Remember(string? line)
        {
            if (line is null)
                return;
            lock (early)
            {
                early.Enqueue(line);
                while (early.Count > 200)
                    early.Dequeue();
            }
            if (line.StartsWith(PidLinePrefix, StringComparison.Ordinal))
                serverPid.TrySetResult(int.Parse(line[PidLinePrefix.Length..], CultureInfo.InvariantCulture));
            else if (line.StartsWith(LocalStackHost.ReadyLinePrefix, StringComparison.Ordinal))
                ready.TrySetResult(new Uri(line[LocalStackHost.ReadyLinePrefix.Length..].Trim()));
        }
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        process.Exited += (_, _) =>
            ready.TrySetException(new InvalidOperationException($"the local stack exited with {process.ExitCode}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var url = await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return new StackProcess(process, url, early, await serverPid.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        }
        catch
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            string log;
            lock (early)
                log = string.Join('\n', early);
            throw new InvalidOperationException("the local stack did not become ready:\n" + log);
        }
    }

    public Uri WebSocketUrl(string pathAndQuery) =>
        new(BaseUrl.AbsoluteUri.Replace("http://", "ws://", StringComparison.Ordinal).TrimEnd('/') + pathAndQuery);

    /// <summary>The rooms socket URL with a development access token for <paramref name="room"/> (GET /dev/token, as
    /// the demo page does).</summary>
    public async Task<Uri> RoomsUrlAsync(string room)
    {
        using var json = JsonDocument.Parse(await _http.GetStringAsync($"dev/token?room={Uri.EscapeDataString(room)}"));
        return WebSocketUrl(
            "/ws?access_token=" + Uri.EscapeDataString(json.RootElement.GetProperty("token").GetString()!)
        );
    }

    /// <summary>Resident memory (VmRSS) and thread count of the server process, from /proc.</summary>
    public (long RssBytes, int Threads) Sample()
    {
        long rss = 0;
        int threads = 0;
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss =
                    long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)
                    * 1024;
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.Split('\t', ' ').Last(s => s.Length > 0), CultureInfo.InvariantCulture);
            }
        }
        return (rss, threads);
    }

    /// <summary>The sum of one Prometheus series at /metrics over the label sets whose text contains <paramref
    /// name="labelFilter"/>.</summary>
    public async Task<double> MetricAsync(string name, string labelFilter = "")
    {
        var text = await _http.GetStringAsync("metrics");
        double sum = 0;
        foreach (var line in text.Split('\n'))
        {
            if (
                !line.StartsWith(name, StringComparison.Ordinal)
                || line.Length <= name.Length
                || line[name.Length] is not ('{' or ' ')
            )
            {
                continue;
            }

            int space = line.LastIndexOf(' ');
            if (line.AsSpan(0, space).Contains(labelFilter, StringComparison.Ordinal))
                sum += double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }
        return sum;
    }

    public bool HasExited => !Directory.Exists($"/proc/{Pid}");

    public string RecentLog
    {
        get
        {
            lock (_log)
                return string.Join('\n', _log);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
