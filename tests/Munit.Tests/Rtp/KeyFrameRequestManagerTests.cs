using MobZ.Munit.Rtp;

namespace MobZ.Munit.Tests.Rtp;

public class KeyFrameRequestManagerTests
{
    private sealed class Recorder : IKeyFrameRequester
    {
        public List<uint> Sent { get; } = [];

        public void RequestKeyFrame(uint ssrc) => Sent.Add(ssrc);
    }

    [Fact]
    public void First_ask_is_sent_at_once()
    {
        var r = new Recorder();
        var m = new KeyFrameRequestManager(r);
        m.KeyFrameNeeded(7, 1000);
        Assert.Equal([7u], r.Sent);
    }

    [Fact]
    public void Asks_while_outstanding_are_deduplicated()
    {
        var r = new Recorder();
        var m = new KeyFrameRequestManager(r);
        for (int i = 0; i < 200; i++)
            m.KeyFrameNeeded(7, 1000 + i);
        Assert.Single(r.Sent);
        Assert.Equal(200, m.RequestsAsked);
        Assert.Equal(1, m.RequestsSent);
    }

    [Fact]
    public void Outstanding_request_is_retried_until_a_key_frame_arrives()
    {
        var r = new Recorder();
        var m = new KeyFrameRequestManager(r, throttleMs: 500, retryMs: 1000, maxRetries: 2);
        m.KeyFrameNeeded(7, 1000);
        m.Tick(1999);
        Assert.Single(r.Sent);
        m.Tick(2000);
        Assert.Equal(2, r.Sent.Count);
        m.Tick(3000);
        Assert.Equal(3, r.Sent.Count);
        m.Tick(4000); // retries exhausted
        m.Tick(9000);
        Assert.Equal(3, r.Sent.Count);
    }

    [Fact]
    public void Key_frame_arrival_stops_retries()
    {
        var r = new Recorder();
        var m = new KeyFrameRequestManager(r);
        m.KeyFrameNeeded(7, 1000);
        m.KeyFrameReceived(7);
        m.Tick(5000);
        Assert.Single(r.Sent);
    }

    [Fact]
    public void Ask_soon_after_a_key_frame_is_throttled_then_sent_when_the_throttle_ends()
    {
        var r = new Recorder();
        var m = new KeyFrameRequestManager(r, throttleMs: 500);
        m.KeyFrameNeeded(7, 1000);
        m.KeyFrameReceived(7);
        m.KeyFrameNeeded(7, 1100);
        Assert.Single(r.Sent);
        m.Tick(1499);
        Assert.Single(r.Sent);
        m.Tick(1500);
        Assert.Equal(2, r.Sent.Count);
    }

    [Fact]
    public void Key_frame_during_throttle_cancels_the_deferred_request()
    {
        var r = new Recorder();
        var m = new KeyFrameRequestManager(r, throttleMs: 500);
        m.KeyFrameNeeded(7, 1000);
        m.KeyFrameReceived(7);
        m.KeyFrameNeeded(7, 1100);
        m.KeyFrameReceived(7);
        m.Tick(2000);
        Assert.Single(r.Sent);
    }

    [Fact]
    public void Ssrcs_are_independent()
    {
        var r = new Recorder();
        var m = new KeyFrameRequestManager(r);
        for (uint s = 1; s <= 6; s++)
            m.KeyFrameNeeded(s, 1000);
        m.KeyFrameNeeded(3, 1001);
        Assert.Equal([1u, 2, 3, 4, 5, 6], r.Sent);
    }

    [Fact]
    public void Clock_starting_at_zero_still_throttles()
    {
        var r = new Recorder();
        var m = new KeyFrameRequestManager(r, throttleMs: 500);
        m.KeyFrameNeeded(1, 0);
        m.KeyFrameReceived(1);
        m.KeyFrameNeeded(1, 10);
        Assert.Single(r.Sent);
    }
}
