using System.Diagnostics;
using System.Text;
using MobZ.TestKit.Repository;

namespace MobZ.Infra.Tests.Support;

public sealed record ShellResult(int ExitCode, string Output, string Error)
{
    public string All => Output + Error;
}

/// <summary>Runs a program to its end within a deadline (then kills its whole tree and fails).</summary>
public static class Shell
{
    public static async Task<ShellResult> RunAsync(
        string file,
        IEnumerable<string> args,
        TimeSpan timeout,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? env = null,
        string? stdin = null
    )
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? Repo.Root,
        };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        if (env is not null)
        {
            foreach (var (k, v) in env)
            {
                if (v is null)
                    info.Environment.Remove(k);
                else
                    info.Environment[k] = v;
            }
        }

        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                    output.AppendLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (error)
                    error.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(
                $"{file} {string.Join(' ', args)} did not finish within {timeout}:\n{output}\n{error}"
            );
        }
        process.WaitForExit();
        return new ShellResult(process.ExitCode, output.ToString(), error.ToString());
    }

    public static Task<ShellResult> BashAsync(
        string script,
        TimeSpan timeout,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? env = null,
        string? stdin = null
    ) => RunAsync("/bin/bash", ["-c", script], timeout, workingDirectory, env, stdin);

    /// <summary>Runs and requires exit code 0, with the output in the failure message.</summary>
    public static async Task<ShellResult> MustAsync(
        string file,
        IEnumerable<string> args,
        TimeSpan timeout,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? env = null
    )
    {
        var r = await RunAsync(file, args, timeout, workingDirectory, env);
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', args)} exited {r.ExitCode}:\n{r.Output}\n{r.Error}"
            );
        }

        return r;
    }
}
