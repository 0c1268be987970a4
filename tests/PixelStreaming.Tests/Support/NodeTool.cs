using System.Diagnostics;
using System.Text;
using MobZ.TestKit.Repository;

namespace MobZ.PixelStreaming.Tests.Support;

/// <summary>
/// A node script of this test project with its npm dependencies: <c>package.json</c> and
/// <c>package-lock.json</c> beside the script are installed with <c>npm ci</c> under
/// <c>artifacts/{name}</c> (never in the source tree), once per lock file: later runs reuse the install.
/// </summary>
public sealed class NodeTool(string name, string sourceDirectory)
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);

    public string InstallDirectory { get; } = Path.Combine(Repo.Artifacts, name);

    public async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            var lockFile = Path.Combine(sourceDirectory, "package-lock.json");
            var wanted = await File.ReadAllTextAsync(lockFile);
            var stamp = Path.Combine(InstallDirectory, "installed-lock.json");
            if (
                File.Exists(stamp)
                && await File.ReadAllTextAsync(stamp) == wanted
                && Directory.Exists(Path.Combine(InstallDirectory, "node_modules"))
            )
            {
                return;
            }

            Directory.CreateDirectory(InstallDirectory);
            File.Copy(
                Path.Combine(sourceDirectory, "package.json"),
                Path.Combine(InstallDirectory, "package.json"),
                overwrite: true
            );
            File.Copy(lockFile, Path.Combine(InstallDirectory, "package-lock.json"), overwrite: true);
            var (code, output) = await RunAsync(
                "npm",
                ["ci", "--no-audit", "--no-fund", "--loglevel=error"],
                InstallDirectory,
                new Dictionary<string, string>(),
                InstallTimeout
            );
            if (code != 0)
                throw new InvalidOperationException($"npm ci in {InstallDirectory} failed ({code}):\n{output}");
            await File.WriteAllTextAsync(stamp, wanted);
        }
        finally
        {
            InstallLock.Release();
        }
    }

    /// <summary>Runs <paramref name="script"/> (a file beside package.json) with node, its packages resolvable; returns
    /// exit code and merged output.</summary>
    public Task<(int ExitCode, string Output)> RunScriptAsync(
        string script,
        IReadOnlyDictionary<string, string> environment,
        TimeSpan timeout
    )
    {
        var env = new Dictionary<string, string>(environment)
        {
            ["NODE_PATH"] = Path.Combine(InstallDirectory, "node_modules"),
        };
        return RunAsync("node", [Path.Combine(sourceDirectory, script)], InstallDirectory, env, timeout);
    }

    private static async Task<(int, string)> RunAsync(
        string file,
        string[] args,
        string directory,
        IReadOnlyDictionary<string, string> environment,
        TimeSpan timeout
    )
    {
        var info = new ProcessStartInfo(file, args)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
            info.Environment[key] = value;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        var output = new StringBuilder();
        void Append(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null)
                return;
            lock (output)
                output.AppendLine(e.Data);
        }
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            lock (output)
                output.AppendLine($"[{file} killed after {timeout}]");
            return (-1, output.ToString());
        }
        await process.WaitForExitAsync(); // flushes the redirected output
        lock (output)
            return (process.ExitCode, output.ToString());
    }
}
