using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using MobZ.TestKit.Logging;
using Xunit.Abstractions;

namespace MobZ.Interop.Tests.Soak;

/// <summary>
/// aiortc_soak_call.py: a live m2m call (an aiortc publisher and an aiortc viewer through the Munit) whose packet
/// counts are reported every 0.5 s and kept here with the shared clock's time of arrival. Killed on dispose.
/// </summary>
public sealed class SoakCall : IDisposable
{
    private readonly Process _process;
    private readonly Stopwatch _clock;
    private readonly List<(TimeSpan At, double T, long Sent, long Received)> _stats = [];
    private readonly TaskCompletionSource<(IPEndPoint Publisher, IPEndPoint Viewer, IPEndPoint Munit)> _addresses = new(
        TaskCreationOptions.RunContinuationsAsynchronously
    );

    public SoakCall(Uri publisherUrl, Uri viewerUrl, string room, Stopwatch clock, ITestOutputHelper output)
    {
        _clock = clock;
        var script = Path.Combine(AppContext.BaseDirectory, "Soak", "aiortc_soak_call.py");
        _process = Process.Start(
            new ProcessStartInfo("/usr/bin/python3", [script, publisherUrl.ToString(), viewerUrl.ToString(), room])
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
                _addresses.TrySetException(
                    new InvalidOperationException("the aiortc call ended before it was connected")
                );
                return;
            }
            if (JsonNode.Parse(e.Data) is not JsonObject report)
                return;
            switch (report["event"]?.GetValue<string>())
            {
                case "addresses":
                    _addresses.TrySetResult(
                        (Endpoint(report["publisher"]!), Endpoint(report["viewer"]!), Endpoint(report["munit"]!))
                    );
                    break;
                case "stats":
                    lock (_stats)
                    {
                        _stats.Add(
                            (
                                _clock.Elapsed,
                                report["t"]!.GetValue<double>(),
                                report["sent"]!.GetValue<long>(),
                                report["received"]!.GetValue<long>()
                            )
                        );
                    }

                    break;
            }
        };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    /// <summary>Once publisher and viewer are connected: their UDP addresses and the Munit's.</summary>
    public Task<(IPEndPoint Publisher, IPEndPoint Viewer, IPEndPoint Munit)> Addresses => _addresses.Task;

    public bool HasExited => _process.HasExited;

    /// <summary>Packets per second the publisher sent and the viewer received between two times of the shared clock
    /// (the reports nearest inside the window; the rate over the reporter's own clock).</summary>
    public (double Sent, double Received) RatesBetween(TimeSpan from, TimeSpan to)
    {
        lock (_stats)
        {
            var inside = _stats.Where(s => s.At >= from && s.At <= to).ToList();
            if (inside.Count < 2)
                throw new InvalidOperationException($"fewer than two call reports between {from} and {to}");
            var (first, last) = (inside[0], inside[^1]);
            double seconds = last.T - first.T;
            return ((last.Sent - first.Sent) / seconds, (last.Received - first.Received) / seconds);
        }
    }

    private static IPEndPoint Endpoint(JsonNode pair) =>
        new(IPAddress.Parse(pair[0]!.GetValue<string>()), pair[1]!.GetValue<int>());

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
