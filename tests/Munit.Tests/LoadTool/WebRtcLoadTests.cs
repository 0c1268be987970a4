using MobZ.LoadTool;

namespace MobZ.Munit.Tests.LoadTool;

/// <summary>
/// The load tool's <c>--webrtc</c> mode, briefly: real client peers (ICE, DTLS, SRTP) publish to and watch a Munit
/// on loopback, and every packet the publishers send reaches every viewer.
/// </summary>
public sealed class WebRtcLoadTests
{
    [Fact]
    public async Task Two_publishers_reach_four_viewers_over_real_DTLS_and_SRTP_without_loss()
    {
        var options = new LoadOptions(Publishers: 2, Subscribers: 4, Seconds: 3, VideoKbps: 300, WebRtc: true);

        var report = await WebRtcLoad.RunAsync(options, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(30));

        Assert.Equal(6, report.Peers);
        Assert.True(report.Forwarded > 0, "the Munit forwarded nothing");
        Assert.True(report.Received > 0, "the viewers decrypted nothing");
        Assert.Equal(report.Expected, report.Received);
        Assert.Equal(0, report.SrtpRejected);
        Assert.Equal(report.Received, report.Latency.Count);
    }
}
