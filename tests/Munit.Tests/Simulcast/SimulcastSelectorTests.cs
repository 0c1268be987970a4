using MobZ.Munit.Simulcast;

namespace MobZ.Munit.Tests.Simulcast;

public class SimulcastSelectorTests
{
    private sealed class Layers(params long[] bitrates) : ILayerSource
    {
        public long[] Bitrates { get; } = bitrates;
        public bool[] Active { get; } = Enumerable.Repeat(true, bitrates.Length).ToArray();
        public int LayerCount => Bitrates.Length;

        public bool IsActive(int layer, long nowMs) => Active[layer];

        public long Bitrate(int layer, long nowMs) => Bitrates[layer];
    }

    private static (Layers, SimulcastSelector) Three()
    {
        var layers = new Layers(150_000, 500_000, 1_500_000);
        return (layers, new SimulcastSelector(layers));
    }

    [Fact]
    public void Starts_targeting_the_highest_layer_and_forwards_nothing_before_its_key_frame()
    {
        var (_, s) = Three();
        Assert.True(s.Update(0));
        Assert.Equal(2, s.Target);
        Assert.Equal(LayerDecision.Drop, s.OnPacket(2, keyFrameStart: false));
        Assert.Equal(LayerDecision.Drop, s.OnPacket(0, keyFrameStart: true));
        Assert.Equal(LayerDecision.SwitchAndForward, s.OnPacket(2, keyFrameStart: true));
        Assert.Equal(LayerDecision.Forward, s.OnPacket(2, keyFrameStart: false));
        Assert.Equal(LayerDecision.Drop, s.OnPacket(1, keyFrameStart: false));
    }

    [Fact]
    public void Switch_happens_only_on_a_key_frame_of_the_target_layer()
    {
        var (_, s) = Three();
        s.SetPreferred(0);
        s.Update(0);
        s.OnPacket(0, true);
        s.SetPreferred(2);
        Assert.True(s.Update(10)); // new target: ask for its key frame
        Assert.Equal(LayerDecision.Forward, s.OnPacket(0, false)); // old layer keeps flowing meanwhile
        Assert.Equal(LayerDecision.Drop, s.OnPacket(2, false));
        Assert.Equal(LayerDecision.Drop, s.OnPacket(1, true));
        Assert.Equal(0, s.Current);
        Assert.Equal(LayerDecision.SwitchAndForward, s.OnPacket(2, true));
        Assert.Equal(LayerDecision.Drop, s.OnPacket(0, false));
        Assert.Equal(2, s.Current);
        Assert.Equal(2, s.Switches);
    }

    [Fact]
    public void Bandwidth_estimate_caps_the_layer()
    {
        var (_, s) = Three();
        s.SetBandwidth(700_000);
        s.Update(0);
        Assert.Equal(1, s.Target);
        s.SetBandwidth(100_000);
        s.Update(0);
        Assert.Equal(0, s.Target); // nothing fits: the lowest layer still plays
    }

    [Fact]
    public void Going_up_needs_headroom_going_down_does_not()
    {
        var (_, s) = Three();
        s.SetPreferred(1);
        s.SetBandwidth(520_000);
        s.Update(0);
        Assert.Equal(1, s.Target);
        s.OnPacket(1, true);
        s.SetPreferred(2);
        s.SetBandwidth(1_600_000); // above 1.5 M but under 1.5 M × headroom
        s.Update(10);
        Assert.Equal(1, s.Target);
        s.SetBandwidth(1_800_000);
        Assert.True(s.Update(20));
        Assert.Equal(2, s.Target);
    }

    [Fact]
    public void Preference_limits_the_layer_even_with_ample_bandwidth()
    {
        var (_, s) = Three();
        s.SetPreferred(1);
        s.Update(0);
        Assert.Equal(1, s.Target);
    }

    [Fact]
    public void Stopped_layer_falls_back_to_the_best_layer_still_flowing()
    {
        var (layers, s) = Three();
        s.Update(0);
        s.OnPacket(2, true);
        layers.Active[2] = false;
        Assert.True(s.Update(100));
        Assert.Equal(1, s.Target);
        Assert.Equal(LayerDecision.SwitchAndForward, s.OnPacket(1, true));
        layers.Active[2] = true; // layer back: go up again at its next key frame
        Assert.True(s.Update(200));
        Assert.Equal(2, s.Target);
    }

    [Fact]
    public void When_only_higher_layers_flow_the_lowest_of_them_is_used()
    {
        var (layers, s) = Three();
        s.SetPreferred(0);
        layers.Active[0] = false;
        s.Update(0);
        Assert.Equal(1, s.Target);
    }

    [Fact]
    public void Nothing_flowing_means_no_target()
    {
        var (layers, s) = Three();
        Array.Fill(layers.Active, false);
        Assert.False(s.Update(0));
        Assert.Equal(-1, s.Target);
    }

    [Fact]
    public void Preference_is_clamped_to_the_layers_that_exist()
    {
        var (_, s) = Three();
        s.SetPreferred(9);
        Assert.Equal(2, s.Preferred);
        s.SetPreferred(-3);
        Assert.Equal(0, s.Preferred);
    }

    [Fact]
    public void Unchanged_target_does_not_ask_for_another_key_frame()
    {
        var (_, s) = Three();
        Assert.True(s.Update(0));
        Assert.False(s.Update(10));
        Assert.False(s.Update(20));
    }
}
