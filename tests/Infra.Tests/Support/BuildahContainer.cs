using System.Diagnostics;
using System.Net;
using System.Text;
using MobZ.TestKit;

namespace MobZ.Infra.Tests.Support;

/// <summary>
/// An image's entrypoint run the way the image says (its user, its environment, then the test's variables) with
/// `buildah run` (chroot isolation, the host's network: no container runtime is needed). Dispose stops it and
/// removes the working container.
/// </summary>
public sealed class BuildahContainer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _container;
    private readonly string[] _marks;
    private readonly StringBuilder _log = new();

    private BuildahContainer(Process process, string container, string[] marks)
    {
        _process = process;
        _container = container;
        _marks = marks;
    }

    /// <summary>stdout and stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <param name="environment">Added after the image's own (so they win); at least one entry must be unique to this
    /// run: it is how the container's processes are found again to be stopped.</param>
    public static async Task<BuildahContainer> StartAsync(string image, IReadOnlyList<string> environment)
    {
        var config = await Buildah.ConfigAsync(image);
        var entrypoint = config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var container = await Buildah.MustAsync(TimeSpan.FromMinutes(5), "from", "-q", image);
        var run = new List<string>
        {
            "run",
            "--isolation",
            "chroot",
            "--network",
            "host",
            "--user",
            config.GetProperty("User").GetString()!,
        };
        foreach (var e in config.GetProperty("Env").EnumerateArray())
            run.AddRange(["-e", e.GetString()!]);
        foreach (var e in environment)
            run.AddRange(["-e", e]);
        if (config.TryGetProperty("WorkingDir", out var dir) && dir.GetString() is { Length: > 0 } wd)
            run.AddRange(["--workingdir", wd]);
        run.AddRange([container, "--", .. entrypoint]);
        var info = new ProcessStartInfo("buildah") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["BUILDAH_ISOLATION"] = "chroot";
        foreach (var a in Buildah.Args([.. run]))
            info.ArgumentList.Add(a);
        var started = new BuildahContainer(Process.Start(info)!, container, [.. environment]);
        started._process.OutputDataReceived += (_, e) =>
        {
            lock (started._log)
                started._log.AppendLine(e.Data);
        };
        started._process.ErrorDataReceived += (_, e) =>
        {
            lock (started._log)
                started._log.AppendLine(e.Data);
        };
        started._process.BeginOutputReadLine();
        started._process.BeginErrorReadLine();
        return started;
    }

    /// <summary>
    /// Waits until GET <paramref name="url"/> answers 200 while the entrypoint runs (it ending fails at once, with its
    /// log), and returns the body.
    /// </summary>
    public Task<string> WaitForOkAsync(HttpClient client, string url, TimeSpan timeout, string because) =>
        Eventually.ValueAsync(
            async () =>
            {
                ThrowIfExited();
                try
                {
                    using var response = await client.GetAsync(url);
                    return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : null;
                }
                catch (HttpRequestException)
                {
                    return null;
                }
                catch (TaskCanceledException)
                {
                    return null;
                }
            },
            timeout,
            because
        );

    /// <summary>Throws with the log when the entrypoint has ended (for polls that wait on it).</summary>
    public void ThrowIfExited()
    {
        if (_process.HasExited)
            throw new InvalidOperationException($"the container exited {_process.ExitCode}:\n{Log}");
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        // buildah's chroot runner leaves the container's process in its own session: it is found by the environment
        // this run gave it, and ended by id.
        foreach (var pid in ProcessesWithEnvironment(_marks))
        {
            try
            {
                Process.GetProcessById(pid).Kill();
            }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
        }

        await Buildah.RunAsync(TimeSpan.FromMinutes(2), "rm", _container);
        _process.Dispose();
    }

    private static IEnumerable<int> ProcessesWithEnvironment(string[] entries)
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            string[] environ;
            try
            {
                environ = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            if (entries.All(environ.Contains))
                yield return pid;
        }
    }
}
