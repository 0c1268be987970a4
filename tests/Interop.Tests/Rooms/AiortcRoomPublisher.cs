using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using MobZ.TestKit.Logging;
using Xunit.Abstractions;

namespace MobZ.Interop.Tests.Rooms;

/// <summary>
/// aiortc_room_publisher.py: an aiortc publisher that does its own room signaling and follows StationMoved. Its
/// JSON-line reports are read in the background; <see cref="NextAsync"/> waits (bounded) for the next one that matches.
/// Killed on dispose.
/// </summary>
public sealed class AiortcRoomPublisher : IDisposable
{
    private readonly Process _process;
    private readonly Channel<JsonNode> _events = Channel.CreateUnbounded<JsonNode>();

    public AiortcRoomPublisher(Uri roomsUrl, string room, ITestOutputHelper output)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Rooms", "aiortc_room_publisher.py");
        _process = Process.Start(
            new ProcessStartInfo("/usr/bin/python3", [script, roomsUrl.ToString(), room])
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
                output.TryWriteLine("[aiortc] " + e.Data);
        };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _events.Writer.TryComplete();
                return;
            }
            output.TryWriteLine("[aiortc] " + e.Data);
            try
            {
                if (JsonNode.Parse(e.Data) is JsonObject node)
                    _events.Writer.TryWrite(node);
            }
            catch (System.Text.Json.JsonException)
            { /* not a report: logged above */
            }
        };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    /// <summary>Skips reports until one matches; fails when none does within <paramref name="timeout"/> or the process
    /// ends.</summary>
    public async Task<JsonNode> NextAsync(Func<JsonNode, bool> match, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await _events.Reader.WaitToReadAsync(cts.Token))
            {
                while (_events.Reader.TryRead(out var e))
                {
                    if (match(e))
                        return e;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{what}: not reported within {timeout.TotalSeconds} s");
        }
        throw new Xunit.Sdk.XunitException($"{what}: aiortc exited first");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
