using System.Diagnostics;
using System.Text.Json;

namespace MobZ.TestKit.Aiortc;

/// <summary>
/// One aiortc process (Debian's python3-aiortc) running a test's script, speaking JSON lines on stdio. The script
/// is found next to the test assembly (a test project copies it there).
/// </summary>
public sealed class AiortcPeer : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly Process _process;
    private readonly List<string> _stderr = [];

    public AiortcPeer(string scriptRelativePath, string role, int seconds)
        : this(scriptRelativePath, [role, seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { }

    /// <summary>Runs the script with these command-line arguments.</summary>
    public AiortcPeer(string scriptRelativePath, IEnumerable<string> arguments)
    {
        var script = Path.Combine(AppContext.BaseDirectory, scriptRelativePath);
        _process = Process.Start(
            new ProcessStartInfo(Python, [script, .. arguments])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            }
        )!;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                    _stderr.Add(e.Data);
            }
        };
        _process.BeginErrorReadLine();
    }

    public IReadOnlyList<string> StandardError
    {
        get
        {
            lock (_stderr)
                return _stderr.ToArray();
        }
    }

    public async Task SendAsync(string key, string value)
    {
        await _process.StandardInput.WriteLineAsync(
            JsonSerializer.Serialize(new Dictionary<string, string> { [key] = value })
        );
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Reads lines until one carries <paramref name="key"/> (state lines are skipped).</summary>
    public async Task<JsonElement> ReadAsync(string key, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var line = await _process.StandardOutput.ReadLineAsync(cts.Token)
                ?? throw new InvalidOperationException(
                    $"aiortc exited before '{key}': {string.Join('\n', StandardError.TakeLast(15))}"
                );
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.TryGetProperty(key, out var value))
                return value.Clone();
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
