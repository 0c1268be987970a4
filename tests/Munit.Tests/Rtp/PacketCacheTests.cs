using MobZ.Munit.Rtp;

namespace MobZ.Munit.Tests.Rtp;

public class PacketCacheTests
{
    private static byte[] Packet(ushort seq, int size = 100)
    {
        var p = new byte[size];
        p[2] = (byte)(seq >> 8);
        p[3] = (byte)seq;
        p[size - 1] = (byte)(seq * 7);
        return p;
    }

    [Fact]
    public void Capacity_is_rounded_up_to_a_power_of_two() => Assert.Equal(512, new PacketCache(300).Capacity);

    [Fact]
    public void Stored_packet_is_returned_by_its_sequence_number()
    {
        var cache = new PacketCache(64);
        for (ushort s = 10; s < 20; s++)
            cache.Store(s, Packet(s), 0);
        Assert.Equal(Packet(15), cache.Get(15, 0).ToArray());
        Assert.True(cache.Get(9, 0).IsEmpty);
        Assert.True(cache.Get(20, 0).IsEmpty);
    }

    [Fact]
    public void Packets_outside_the_window_are_gone()
    {
        var cache = new PacketCache(16);
        for (ushort s = 0; s < 40; s++)
            cache.Store(s, Packet(s), 0);
        Assert.True(cache.Get(23, 0).IsEmpty);
        Assert.Equal(Packet(24), cache.Get(24, 0).ToArray());
        Assert.Equal(Packet(39), cache.Get(39, 0).ToArray());
    }

    [Fact]
    public void Works_across_sequence_wrap()
    {
        var cache = new PacketCache(32);
        for (int i = 0; i < 20; i++)
        {
            ushort s = (ushort)(65530 + i);
            cache.Store(s, Packet(s), 0);
        }
        Assert.Equal(Packet(65535), cache.Get(65535, 0).ToArray());
        Assert.Equal(Packet(0), cache.Get(0, 0).ToArray());
        Assert.Equal(Packet(13), cache.Get(13, 0).ToArray());
    }

    [Fact]
    public void Lost_packets_do_not_answer_with_an_older_packet_in_the_same_slot()
    {
        var cache = new PacketCache(16);
        for (ushort s = 0; s < 16; s++)
            cache.Store(s, Packet(s), 0);
        // 16..19 lost upstream: their slots held 0..3.
        cache.Store(20, Packet(20), 0);
        for (ushort s = 16; s < 20; s++)
            Assert.True(cache.Get(s, 0).IsEmpty);
        Assert.True(cache.Get(0, 0).IsEmpty);
    }

    [Fact]
    public void Late_reordered_packet_is_stored_within_the_window()
    {
        var cache = new PacketCache(16);
        cache.Store(100, Packet(100), 0);
        cache.Store(102, Packet(102), 0);
        cache.Store(101, Packet(101), 0);
        Assert.Equal(Packet(101), cache.Get(101, 0).ToArray());
        Assert.False(cache.Store(50, Packet(50), 0));
    }

    [Fact]
    public void Old_packets_are_not_retransmitted()
    {
        var cache = new PacketCache(16, maxAgeMs: 1000);
        cache.Store(1, Packet(1), 0);
        Assert.False(cache.Get(1, 1000).IsEmpty);
        Assert.True(cache.Get(1, 1001).IsEmpty);
    }

    [Fact]
    public void Oversized_packet_is_refused() =>
        Assert.False(new PacketCache(16).Store(1, new byte[PacketCache.MaxPacketSize + 1], 0));

    [Fact]
    public void Clear_forgets_everything()
    {
        var cache = new PacketCache(16);
        cache.Store(5, Packet(5), 0);
        cache.Clear();
        Assert.True(cache.Get(5, 0).IsEmpty);
        cache.Store(60000, Packet(60000), 0);
        Assert.False(cache.Get(60000, 0).IsEmpty);
    }

    [Fact]
    public void Huge_jump_invalidates_the_whole_ring()
    {
        var cache = new PacketCache(16);
        for (ushort s = 0; s < 16; s++)
            cache.Store(s, Packet(s), 0);
        cache.Store(1000, Packet(1000), 0);
        for (ushort s = 0; s < 16; s++)
            Assert.True(cache.Get(s, 0).IsEmpty);
    }

    [Fact]
    public void Random_stores_never_return_a_packet_with_the_wrong_sequence_number()
    {
        var rng = new Random(42);
        var cache = new PacketCache(64);
        ushort seq = 65000;
        for (int i = 0; i < 50_000; i++)
        {
            seq += (ushort)(rng.Next(10) == 0 ? rng.Next(1, 200) : 1);
            ushort stored = rng.Next(8) == 0 ? (ushort)(seq - rng.Next(100)) : seq;
            cache.Store(stored, Packet(stored, 20 + rng.Next(100)), i);
            ushort probe = (ushort)(seq - rng.Next(128));
            var got = cache.Get(probe, i);
            if (!got.IsEmpty)
                Assert.Equal(probe, (ushort)((got[2] << 8) | got[3]));
        }
    }
}
