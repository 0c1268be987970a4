using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using MobZ.TestKit;
using Xunit.Abstractions;

namespace MobZ.Interop.Tests.Rooms;

/// <summary>
/// Issue: the m2m flow with one publisher on aiortc (an independent WebRTC stack) and a Chromium viewer that
/// decodes its video through the Munit.
/// </summary>
[Trait("Category", "Interop")]
[Collection(StackCollection.Name)]
public sealed class AiortcPublisherInteropTests(StackFixture stack, ITestOutputHelper output) : IAsyncLifetime
{
    public Task InitializeAsync() => stack.ClosePagesAsync();

    public Task DisposeAsync() => stack.ClosePagesAsync();

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Chromium_viewer_decodes_an_aiortc_publisher_through_the_munit()
    {
        var room = "aiortc-" + Guid.NewGuid().ToString("N")[..8];
        await using var socket = await RoomSocket.ConnectAsync(stack.Stack.RoomsUrl());
        await socket.SendAsync(
            new
            {
                action = "Join",
                roomId = room,
                roomKind = "m2m",
                role = "publisher",
            }
        );
        var joinAck = await socket.ReceiveAsync("JoinAck", Timeout);
        var stationId = joinAck["stationId"]!.GetValue<string>();

        using var publisher = StartAiortc();
        using var killer = new ProcessKiller(publisher);
        var offer = JsonNode.Parse(await ReadLineAsync(publisher, "aiortc's offer"))!["sdp"]!.GetValue<string>();
        await socket.SendAsync(
            new
            {
                action = "Offer",
                stationId,
                sdp = offer,
            }
        );
        var answer = (await socket.ReceiveAsync("Answer", Timeout))["sdp"]!.GetValue<string>();
        await publisher.StandardInput.WriteLineAsync(JsonSerializer.Serialize(new { sdp = answer }));
        await publisher.StandardInput.FlushAsync();
        string state;
        do
        {
            state = JsonNode.Parse(await ReadLineAsync(publisher, "aiortc's connection state"))![
                "state"
            ]!.GetValue<string>();
        } while (state is "new" or "connecting");
        Assert.Equal("connected", state);

        var viewer = await RoomPage.OpenAsync(stack, room, "viewer");
        await Eventually.WaitUntilAsync(
            async () => (await viewer.VideoAsync()).TryGetValue(stationId, out var video) && video.FramesDecoded > 10,
            Timeout,
            "the Chromium viewer decodes the aiortc publisher's video"
        );
        var seen = (await viewer.VideoAsync())[stationId];
        output.WriteLine($"viewer decoded {seen.FramesDecoded} frames of {seen.FrameWidth}x{seen.FrameHeight}");
        Assert.Equal(640, seen.FrameWidth);

        publisher.StandardInput.Close();
    }

    private sealed class ProcessKiller(Process process) : IDisposable
    {
        public void Dispose()
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
    }

    private Process StartAiortc()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Rooms", "aiortc_publisher.py");
        var process = Process.Start(
            new ProcessStartInfo("/usr/bin/python3", [script])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            }
        )!;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                Log("[aiortc] " + e.Data);
        };
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<string> ReadLineAsync(Process process, string what)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var line = await process.StandardOutput.ReadLineAsync(cts.Token);
        return line ?? throw new InvalidOperationException($"aiortc exited before printing {what}");
    }

    private void Log(string line)
    {
        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException) { }
    }
}
