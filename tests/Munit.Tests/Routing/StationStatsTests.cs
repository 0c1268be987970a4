namespace MobZ.Munit.Tests.Routing;

public class StationStatsTests
{
    [Fact]
    public void Stats_count_packets_bytes_layers_nacks_and_key_frame_requests_per_station_and_viewer()
    {
        using var rig = new ForwardingRig(simulcast: true);
        var (viewer, a) = rig.AddViewer("a", 0xA1, 0xA2);
        rig.AddViewer("b", 0xB1, 0xB2);
        rig.Station.SetPreferredLayer("b", 0);
        var sim = new SimulcastStream(rig);
        sim.Frames(0, 10, keyFrameAt: 0);
        rig.Engine.Tick(sim.Now, 0);
        sim.Frames(10, 20, keyFrameAt: 10);
        var sent = a.Packets(0xA2).ToList();
        rig.Engine.OnSubscriberRtcp(viewer, Packets.Nack(1, 0xA2, sent[2].Seq), sim.Now, 0);
        rig.Engine.OnSubscriberRtcp(viewer, Packets.Pli(1, 0xA2), sim.Now, 0);

        var stats = rig.Station.GetStats(sim.Now);
        Assert.True(stats.HasPublisher);
        Assert.Equal(2, stats.Subscribers);
        Assert.Equal(60, stats.PacketsIn); // 20 frames × 3 layers
        Assert.Equal(1, stats.NacksReceived);
        Assert.True(stats.IncomingBitsPerSecond > 0);
        Assert.True(stats.KeyFrameRequestsSent <= stats.KeyFrameRequestsAsked);

        var sa = stats.SubscriberDetails.Single(s => s.PeerId == "a");
        var sb = stats.SubscriberDetails.Single(s => s.PeerId == "b");
        Assert.Equal(2, sa.Layer);
        Assert.Equal(0, sb.Layer);
        Assert.Equal(sent.Count, sa.PacketsSent); // the retransmission is counted apart
        Assert.Equal(1, sa.Retransmitted);
        Assert.Equal(1, sa.NacksReceived);
        Assert.Equal(1, sa.KeyFrameRequests);
        Assert.Equal(a.Rtp.Sum(p => (long)p.Length), sa.BytesSent);
        Assert.Equal(stats.PacketsOut, sa.PacketsSent + sb.PacketsSent);
    }
}
