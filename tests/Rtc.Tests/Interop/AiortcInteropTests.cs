using System.Diagnostics;
using System.Net;
using System.Text.Json;
using MobZ.Rtc.Srtp;
using MobZ.Rtc.Transport;
using MobZ.TestKit;
using Xunit.Abstractions;

namespace MobZ.Rtc.Tests.Interop;

/// <summary>aiortc (Python, an independent stack: aioice, OpenSSL DTLS, libsrtp) against the src/Rtc echo.</summary>
[Trait("Category", "Interop")]
public sealed class AiortcInteropTests(ITestOutputHelper output) : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly RtcUdpTransport _transport = new(new RtcTransportOptions { BindAddress = IPAddress.Loopback });

    public void Dispose() => _transport.Dispose();

    [Fact]
    public async Task Aiortc_connects_and_receives_its_vp8_and_opus_echoed()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Interop", "aiortc_echo_peer.py");
        var start = new ProcessStartInfo(Python, [script, "30"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var stderr = new List<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                    stderr.Add(e.Data);
            }
        };
        process.BeginErrorReadLine();
        try
        {
            var offerSdp = (await ReadMessageAsync(process, "offer")).GetString()!;
            EchoEndpoint? echo = null;
            var negotiation = EchoNegotiation.Create(
                _transport,
                offerSdp,
                n => echo = new EchoEndpoint(n.EchoSsrcByPayloadType),
                echo: true,
                id: "aiortc"
            );
            var peer = negotiation.Peer;
            await process.StandardInput.WriteLineAsync(
                JsonSerializer.Serialize(new Dictionary<string, string> { ["answer"] = negotiation.Answer.ToString() })
            );
            await process.StandardInput.FlushAsync();

            var result = await ReadMessageAsync(process, "result");
            output.WriteLine(
                $"aiortc result {result}; profile {peer.SrtpProfile}; VP8 {echo!.Count(negotiation, "VP8")}, Opus {echo.Count(negotiation, "opus")}, echoed {echo.Echoed}; "
                    + $"transport: received {_transport.Counters.DatagramsReceived}, srtp rejected {_transport.Counters.SrtpRejected}, "
                    + $"not connected {_transport.Counters.NotConnected}, unknown source {_transport.Counters.UnknownSource}, rtp in {peer.RtpReceived}"
            );
            Assert.True(result.GetProperty("connected").GetBoolean(), "aiortc reaches connected");
            Assert.True(
                echo.Count(negotiation, "VP8") + echo.Count(negotiation, "H264") > 0,
                "endpoint decrypted aiortc's video"
            );
            Assert.True(echo.Count(negotiation, "opus") > 0, "endpoint decrypted aiortc's Opus");
            Assert.True(result.GetProperty("videoFrames").GetInt32() > 0, "aiortc decoded echoed video frames");
            Assert.True(result.GetProperty("audioFrames").GetInt32() > 0, "aiortc decoded echoed audio frames");
            Assert.NotEqual(SrtpProfile.None, peer.SrtpProfile);
        }
        finally
        {
            using (var exit = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
            {
                try
                {
                    await process.WaitForExitAsync(exit.Token);
                }
                catch (OperationCanceledException) { }
            }
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            lock (stderr)
            {
                foreach (var line in stderr.TakeLast(30))
                    output.WriteLine("[aiortc] " + line);
            }
        }
    }

    private async Task<JsonElement> ReadMessageAsync(Process process, string key)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException($"aiortc exited before sending '{key}'");
            output.WriteLine("[aiortc stdout] " + (line.Length > 200 ? line[..200] + "…" : line));
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.TryGetProperty(key, out var value))
                return value.Clone();
        }
    }
}
