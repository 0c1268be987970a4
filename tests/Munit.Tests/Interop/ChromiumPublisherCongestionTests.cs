using MobZ.TestKit;
using Xunit.Abstractions;

namespace MobZ.Munit.Tests.Interop;

/// <summary>
/// A Chromium publisher behind its own network namespace sets its bitrate from the Munit's transport-cc feedback:
/// its send-side estimate climbs past the start bitrate the Munit's answer gives it, and when the namespace's
/// uplink is limited to 500 kbit/s (tc) the bitrate it sends follows within 10 s.
/// </summary>
[Trait("Category", "Interop")]
public sealed class ChromiumPublisherCongestionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private const double StartBitrate = 1_500_000; // x-google-start-bitrate in the Munit's answer
    private NamespacedMunit _rig = null!;

    public async Task InitializeAsync() => _rig = await NamespacedMunit.StartAsync(output.WriteLine);

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task A_Chromium_publisher_ramps_on_transport_cc_feedback_and_follows_a_500_kbit_uplink_within_10_s()
    {
        var publisher = await _rig.PublishAsync(_rig.Inside, "st-1");

        var samples = new List<SendingStats>();
        double estimate = 0,
            sentBps = 0,
            loggedAt = 0;
        // The publisher's estimate, and the bitrate it sent over the last second or so.
        async Task Sample()
        {
            var now = await publisher.EvaluateAsync<SendingStats>("() => sending()");
            samples.Add(now);
            estimate = now.AvailableOutgoingBitrate;
            var since = samples.LastOrDefault(x => now.Timestamp - x.Timestamp >= 1000);
            if (since is not null)
                sentBps = (now.BytesSent - since.BytesSent) * 8 * 1000 / (now.Timestamp - since.Timestamp);
            if (now.Timestamp - loggedAt >= 1000)
            {
                loggedAt = now.Timestamp;
                output.WriteLine($"estimate {estimate / 1000:F0} kbit/s, sending {sentBps / 1000:F0} kbit/s");
            }
        }

        await Eventually.WaitUntilAsync(
            async () =>
            {
                await Sample();
                return estimate > 1.5 * StartBitrate;
            },
            Timeout,
            "the publisher's estimate climbs past 1.5 × its start bitrate"
        );
        Assert.True(_rig.Media.Workers[0].Engine.Forwarder.Totals.TransportCcFeedbackSent > 0);
        await Eventually.WaitUntilAsync(
            async () =>
            {
                await Sample();
                return sentBps > 800_000;
            },
            Timeout,
            "the publisher sends over 800 kbit/s before its uplink is limited"
        );

        // The publisher's uplink (what leaves its namespace) drops to 500 kbit/s.
        await _rig.Network.LimitUplinkAsync("500kbit");
        output.WriteLine("uplink limited to 500 kbit/s");
        var limited = System.Diagnostics.Stopwatch.StartNew();
        samples.Clear(); // the rate from here on is measured over samples taken under the limit only
        await Eventually.WaitUntilAsync(
            async () =>
            {
                await Sample();
                return sentBps is > 0 and < 600_000 && estimate < 600_000;
            },
            TimeSpan.FromSeconds(10),
            "the publisher's bitrate follows the 500 kbit/s uplink"
        );
        output.WriteLine($"followed after {limited.Elapsed.TotalSeconds:F1} s");
    }
}
