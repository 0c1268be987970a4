using System.Diagnostics;

namespace MobZ.Bench.Signaling;

/// <summary>
/// The real <c>make run</c> host (src/LocalStack, built beforehand) as a child process on a free loopback
/// port: what a client of the local stack talks to, with nothing of the benchmark process in its way.
/// </summary>
public sealed class LocalStackProcess : IDisposable
{
    private const string ReadyLine = "MobZ local stack ready: ";
    private readonly Process _process;

    private LocalStackProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public Uri WebSocketUrl(string path) =>
        new(BaseUrl.AbsoluteUri.Replace("http://", "ws://", StringComparison.Ordinal).TrimEnd('/') + path);

    /// <summary>The rooms socket URL with a development access token for <paramref name="room"/> (GET /dev/token, as
    /// the demo page does).</summary>
    public async Task<Uri> RoomsUrlAsync(string room)
    {
        using var http = new HttpClient { BaseAddress = BaseUrl };
        using var json = System.Text.Json.JsonDocument.Parse(
            await http.GetStringAsync($"dev/token?room={Uri.EscapeDataString(room)}")
        );
        return WebSocketUrl(
            "/ws?access_token=" + Uri.EscapeDataString(json.RootElement.GetProperty("token").GetString()!)
        );
    }

    /// <summary>The connection ids of a room's publishers and its publisher-list version as the store holds them,
    /// through the admin API (with the development key its key hint names); no ids and version -1 when there is no
    /// such room.</summary>
    public async Task<(IReadOnlySet<string> Publishers, long Version)> PublishersAsync(string room)
    {
        using var http = new HttpClient { BaseAddress = BaseUrl };
        using (var hint = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("api/admin/key-hint")))
        {
            http.DefaultRequestHeaders.Add(
                hint.RootElement.GetProperty("header").GetString()!,
                hint.RootElement.GetProperty("developmentKey").GetString()
            );
        }

        using var json = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("api/admin/rooms"));
        foreach (var r in json.RootElement.GetProperty("rooms").EnumerateArray())
        {
            if (r.GetProperty("roomId").GetString() != room)
                continue;
            var publishers = r.GetProperty("members")
                .EnumerateArray()
                .Where(m => m.GetProperty("role").GetString() == "publisher")
                .Select(m => m.GetProperty("connectionId").GetString()!)
                .ToHashSet();
            return (publishers, r.GetProperty("version").GetInt64());
        }

        return (new HashSet<string>(), -1);
    }

    /// <param name="redisPrefix">--redis-prefix, e.g. "{mobz}:" to keep every key in one slot of a Redis Cluster.
    /// </param>
    public static LocalStackProcess Start(string? redis, string? redisPrefix = null)
    {
        string dll = FindLocalStack();
        int port = RedisProcess.FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--redis");
        start.ArgumentList.Add(redis ?? "");
        if (redisPrefix is not null)
        {
            start.ArgumentList.Add("--redis-prefix");
            start.ArgumentList.Add(redisPrefix);
        }
        start.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        // Keep the measured path on the handler, not on a busy console.
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start) ?? throw new InvalidOperationException("the local stack did not start");

        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith(ReadyLine, StringComparison.Ordinal) == true)
                ready.TrySetResult(new Uri(e.Data[ReadyLine.Length..].Trim()));
        };
        process.ErrorDataReceived += (_, _) => { };
        process.Exited += (_, _) =>
            ready.TrySetException(new InvalidOperationException($"the local stack exited with {process.ExitCode}"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var url = ready.Task.WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
        return new LocalStackProcess(process, url);
    }

    /// <summary>src/LocalStack/bin/{Release,Debug}/net10.0/MobZ.LocalStack.dll above the benchmark's own
    /// directory.</summary>
    private static string FindLocalStack()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var config in new[] { "Release", "Debug" })
            {
                var candidate = Path.Combine(
                    dir.FullName,
                    "src",
                    "LocalStack",
                    "bin",
                    config,
                    "net10.0",
                    "MobZ.LocalStack.dll"
                );
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        throw new FileNotFoundException(
            "Build src/LocalStack first: dotnet build -c Release src/LocalStack/MobZ.LocalStack.csproj"
        );
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
