using MobZ.Munit.Rtp;

namespace MobZ.Munit.Tests.Rtp;

public class NackGeneratorTests
{
    private static ushort[] Due(NackGenerator g, long now, long interval = 100)
    {
        Span<ushort> buffer = stackalloc ushort[512];
        int n = g.CollectDue(now, interval, buffer);
        var result = buffer[..n].ToArray();
        Array.Sort(result);
        return result;
    }

    [Fact]
    public void Gap_is_nacked_immediately()
    {
        var g = new NackGenerator();
        g.OnPacket(10);
        g.OnPacket(14);
        Assert.Equal([11, 12, 13], Due(g, 0));
    }

    [Fact]
    public void NACK_is_repeated_only_after_the_interval()
    {
        var g = new NackGenerator();
        g.OnPacket(1);
        g.OnPacket(3);
        Assert.Equal([2], Due(g, 0));
        Assert.Empty(Due(g, 50));
        Assert.Equal([2], Due(g, 100));
    }

    [Fact]
    public void Arrival_of_a_missing_packet_clears_it_and_counts_recovery()
    {
        var g = new NackGenerator();
        g.OnPacket(1);
        g.OnPacket(4);
        Assert.True(g.OnPacket(2));
        Assert.Equal([3], Due(g, 0));
        Assert.Equal(1, g.Recovered);
    }

    [Fact]
    public void Gives_up_after_max_retries()
    {
        var g = new NackGenerator();
        g.OnPacket(1);
        g.OnPacket(3);
        for (int i = 0; i < NackGenerator.MaxRetries; i++)
            Assert.Equal([2], Due(g, i * 1000));
        Assert.Empty(Due(g, 1_000_000));
        Assert.Equal(1, g.GivenUp);
    }

    [Fact]
    public void Gaps_across_wrap_around()
    {
        var g = new NackGenerator();
        g.OnPacket(65534);
        g.OnPacket(1);
        Assert.Equal([0, 65535], Due(g, 0));
    }

    [Fact]
    public void Huge_jump_is_a_restart_not_loss()
    {
        var g = new NackGenerator();
        g.OnPacket(1);
        g.OnPacket(5000);
        Assert.Empty(Due(g, 0));
    }

    [Fact]
    public void Old_missing_packets_are_dropped_as_the_stream_moves_on()
    {
        var g = new NackGenerator();
        g.OnPacket(0);
        g.OnPacket(2);
        for (ushort s = 3; s < 400; s++)
            g.OnPacket(s);
        Assert.Empty(Due(g, 0));
    }
}
