using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace MobZ.LocalStack.PixelStreaming;

/// <summary>
/// One headless Chromium showing one page, with a fake camera, a throwaway profile and the flags of
/// ARCHITECTURE.md. Disposing kills the browser and deletes the profile.
/// </summary>
public sealed class ChromiumProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;

    private ChromiumProcess(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;

    public static ChromiumProcess Start(string chromiumPath, Uri page, ILogger logger)
    {
        var profile = Directory.CreateTempSubdirectory("mobz-ps-chromium-").FullName;
        var info = new ProcessStartInfo(chromiumPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (
            var arg in (string[])
                [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--use-fake-device-for-media-stream",
                    "--use-fake-ui-for-media-stream",
                    "--autoplay-policy=no-user-gesture-required",
                    "--disable-background-timer-throttling",
                    "--disable-renderer-backgrounding",
                    "--mute-audio",
                    $"--user-data-dir={profile}",
                    page.AbsoluteUri,
                ]
        )
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {chromiumPath}");
        // Drain its output so a chatty browser never blocks on a full pipe; page console lines are useful at debug
        // level.
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                logger.LogDebug("chromium: {Line}", e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                logger.LogDebug("chromium: {Line}", e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChromiumProcess(process, profile);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException) { }
        _process.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
