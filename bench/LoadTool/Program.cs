using System.Diagnostics;
using System.Globalization;
using MobZ.LoadTool;

// Loopback load test of the Munit's forwarding path with real SRTP (see bench/RESULTS.md for commands and numbers).
var options = LoadOptions.Parse(args);
if (options.WebRtc)
{
    // Real WebRTC clients (ICE, DTLS, SRTP) against the Munit's production media plane.
    try
    {
        var report = await WebRtcLoad.RunAsync(options, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(60));
        report.Print(Console.Out);
        return 0;
    }
    catch (Exception e)
        when (e is InvalidOperationException or TimeoutException or OperationCanceledException or IOException)
    {
        // A refused negotiation, failed ICE or DTLS, or peers still connecting after 60 s.
        Console.Error.WriteLine("load test failed: " + e.Message);
        return 1;
    }
}

using var munit = new MunitUnderLoad();
using var publishers = new SyntheticPublishers(options.VideoKbps);
using var subscribers = new MeasuringSubscribers();

for (int i = 0; i < options.Publishers; i++)
{
    var (send, receive) = SrtpKeyPair.Create();
    munit.AddPublisher(i, publishers.Add(send, munit.EndPoint), receive);
}
for (int i = 0; i < options.Subscribers; i++)
{
    var (send, receive) = SrtpKeyPair.Create();
    munit.AddSubscriber(i, subscribers.Add(receive), send);
}

munit.Start();
subscribers.Start();
publishers.Start();

// Warm-up: every viewer's video starts at the first key frame; JIT settles.
Thread.Sleep(2500);
subscribers.Measuring = true;
munit.Measuring = true;
long forwarded0 = munit.Engine.Forwarder.Forwarded;
var cpu0 = ThreadCpu.Of(munit.ReceiveThreadId);
var clock = Stopwatch.StartNew();
Thread.Sleep(TimeSpan.FromSeconds(options.Seconds));
long forwarded = munit.Engine.Forwarder.Forwarded - forwarded0;
var cpu = ThreadCpu.Of(munit.ReceiveThreadId) - cpu0;
double seconds = clock.Elapsed.TotalSeconds;
subscribers.Measuring = false;
munit.Measuring = false;
publishers.Stop();
Thread.Sleep(300);

long expected = subscribers.Expected,
    received = subscribers.Received;
double loss = expected == 0 ? 0 : Math.Max(0, 1 - (double)received / expected);
var inv = CultureInfo.InvariantCulture;
Console.WriteLine(
    string.Create(
        inv,
        $"publishers {options.Publishers}, subscribers {options.Subscribers} (each watches every publisher), video {options.VideoKbps} kbps + Opus, {seconds:0.0} s measured"
    )
);
Console.WriteLine(
    string.Create(inv, $"offered to the Munit      {publishers.PacketsPerSecondEach * options.Publishers:0} packets/s")
);
Console.WriteLine(
    string.Create(inv, $"forwarded                 {forwarded / seconds:0} packets/s ({forwarded} packets)")
);
Console.WriteLine(
    string.Create(
        inv,
        $"Munit thread CPU          {cpu.TotalSeconds:0.00} s = {cpu.TotalSeconds / seconds * 100:0}% of one core; {cpu.TotalSeconds / Math.Max(1, forwarded) * 1e6:0.00} CPU-s per million forwarded"
    )
);
Console.WriteLine(
    string.Create(inv, $"loss at viewers           {loss * 100:0.000}% ({expected - received} of {expected})")
);
Console.WriteLine(
    string.Create(
        inv,
        $"forwarding latency        p50 {subscribers.Latency.Percentile(0.50) / 1000:0.000} ms, p99 {subscribers.Latency.Percentile(0.99) / 1000:0.000} ms ({subscribers.Latency.Count} samples)"
    )
);
Console.WriteLine(
    string.Create(
        inv,
        $"inside the Munit          p50 {munit.Processing.Percentile(0.50):0} µs, p99 {munit.Processing.Percentile(0.99):0} µs per incoming packet (unprotect + fan-out to {options.Subscribers} viewers incl. protect + sendto)"
    )
);
Console.WriteLine(
    string.Create(
        inv,
        $"SRTP unprotect failures   {munit.UnprotectFailures}; machine load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} on {Environment.ProcessorCount} cores"
    )
);
return 0;
