using MobZ.Munit.Rtp;
using MobZ.Munit.Tests.Routing;
using MobZ.Rtc.Codecs;

namespace MobZ.Munit.Tests.Rtp;

public class Vp8MungerTests
{
    /// <summary>Munges one packet with the given descriptor fields and reads back what it now says.</summary>
    private static (int PictureId, bool Long, int Tl0, int KeyIdx, int Size) Munge(
        Vp8Munger munger,
        int pictureId = -1,
        int tl0 = -1,
        int keyIdx = -1,
        bool longPictureId = true
    )
    {
        var payload = new byte[32];
        int size = Packets.Vp8Descriptor(payload, pictureId, tl0, keyIdx, longPictureId);
        payload[size] = 0x01;
        var before = payload.ToArray();
        Assert.True(munger.Munge(payload, out var numbers));
        Assert.True(Vp8PayloadDescriptor.TryRead(payload, out var d));
        Assert.Equal(size, d.Size); // the width of every field stays
        Assert.Equal(before[size..], payload[size..]);
        Assert.Equal(d.HasPictureId ? d.PictureId : 0, numbers.PictureId);
        return (
            d.HasPictureId ? d.PictureId : -1,
            d.HasLongPictureId,
            d.HasTl0PicIdx ? d.Tl0PicIdx : -1,
            d.HasKeyIdx ? d.KeyIdx : -1,
            d.Size
        );
    }

    [Fact]
    public void The_first_source_keeps_its_numbers()
    {
        var m = new Vp8Munger();
        var out0 = Munge(m, 1234, 17, 3);
        Assert.Equal((1234, true, 17, 3), (out0.PictureId, out0.Long, out0.Tl0, out0.KeyIdx));
    }

    [Fact]
    public void A_switch_to_a_layer_with_other_picture_ids_continues_the_viewers_sequence_by_one()
    {
        var m = new Vp8Munger();
        for (int i = 0; i < 10; i++)
            Assert.Equal((100 + i, 5 + i), Pick(Munge(m, 100 + i, 5 + i, 2)));

        m.RequestResync(); // layer 0 → layer 1, which counts from elsewhere
        var seen = new List<(int PictureId, int Tl0)>();
        for (int i = 0; i < 10; i++)
            seen.Add(Pick(Munge(m, 20_000 + i, 200 + i, 9)));

        for (int i = 0; i < 10; i++)
            Assert.Equal((110 + i, 15 + i), seen[i]);
    }

    [Fact]
    public void Packets_of_one_picture_share_its_munged_numbers_after_a_switch()
    {
        var m = new Vp8Munger();
        Munge(m, 500, 40);
        m.RequestResync();
        var first = Pick(Munge(m, 7000, 90));
        var second = Pick(Munge(m, 7000, 90)); // the key frame's second packet
        var next = Pick(Munge(m, 7001, 90)); // a non-base-layer frame keeps TL0PICIDX
        Assert.Equal((501, 41), first);
        Assert.Equal(first, second);
        Assert.Equal((502, 41), next);
    }

    [Fact]
    public void KEYIDX_continues_across_a_switch()
    {
        var m = new Vp8Munger();
        Assert.Equal(30, Munge(m, 1, 1, keyIdx: 30).KeyIdx);
        Assert.Equal(31, Munge(m, 2, 2, keyIdx: 31).KeyIdx);
        m.RequestResync();
        Assert.Equal(0, Munge(m, 900, 50, keyIdx: 4).KeyIdx); // 5 bits: 31 + 1 wraps to 0
        Assert.Equal(1, Munge(m, 901, 51, keyIdx: 5).KeyIdx);
    }

    [Fact]
    public void A_15_bit_picture_id_wraps_at_32768_on_either_side_of_a_switch()
    {
        var m = new Vp8Munger();
        var ids = new List<int>();
        for (int i = 0; i < 6; i++)
            ids.Add(Munge(m, (32_765 + i) & 0x7FFF, 250 + i).PictureId); // the source wraps
        m.RequestResync();
        for (int i = 0; i < 3; i++)
            ids.Add(Munge(m, 12 + i, 3 + i).PictureId);

        Assert.Equal([32_765, 32_766, 32_767, 0, 1, 2, 3, 4, 5], ids);
        m.RequestResync();
        Assert.Equal(6, Munge(m, 32_767, 0).PictureId);
    }

    [Fact]
    public void TL0PICIDX_wraps_at_256()
    {
        var m = new Vp8Munger();
        Munge(m, 10, 254);
        Munge(m, 11, 255);
        m.RequestResync();
        Assert.Equal(0, Munge(m, 4000, 77).Tl0);
        Assert.Equal(1, Munge(m, 4001, 78).Tl0);
    }

    [Fact]
    public void A_7_bit_picture_id_stays_7_bits_and_wraps_at_128()
    {
        var m = new Vp8Munger();
        var ids = new List<int>();
        for (int i = 0; i < 4; i++)
        {
            var p = Munge(m, (125 + i) & 0x7F, longPictureId: false);
            Assert.False(p.Long);
            ids.Add(p.PictureId);
        }
        m.RequestResync();
        for (int i = 0; i < 3; i++)
        {
            var p = Munge(m, 60 + i, longPictureId: false);
            Assert.False(p.Long);
            ids.Add(p.PictureId);
        }

        Assert.Equal([125, 126, 127, 0, 1, 2, 3], ids);
    }

    [Fact]
    public void A_switch_from_a_15_bit_to_a_7_bit_source_continues_in_7_bits()
    {
        var m = new Vp8Munger();
        Munge(m, 1000);
        Munge(m, 1001);
        m.RequestResync();
        var p = Munge(m, 5, longPictureId: false);
        Assert.False(p.Long);
        Assert.Equal(1002 & 0x7F, p.PictureId);
    }

    [Fact]
    public void A_packet_without_picture_id_goes_out_unchanged_and_the_numbering_continues_after_it()
    {
        var m = new Vp8Munger();
        Munge(m, 300, 7);
        m.RequestResync();
        Munge(m, 9000, 60);

        var bare = Munge(m); // no X bit at all
        Assert.Equal((-1, -1, -1, 1), (bare.PictureId, bare.Tl0, bare.KeyIdx, bare.Size));
        var tl0Only = Munge(m, tl0: 61);
        Assert.Equal(-1, tl0Only.PictureId);
        Assert.Equal(9, tl0Only.Tl0);

        Assert.Equal((302, 9), Pick(Munge(m, 9001, 61)));
    }

    [Fact]
    public void A_late_packet_of_an_earlier_picture_keeps_its_place()
    {
        var m = new Vp8Munger();
        Munge(m, 40, 1);
        m.RequestResync();
        Munge(m, 800, 10);
        Munge(m, 802, 11);
        Assert.Equal(42, Munge(m, 801, 10).PictureId); // reordered from the publisher
        Assert.Equal(44, Munge(m, 803, 11).PictureId);
    }

    [Fact]
    public void A_payload_too_short_for_its_descriptor_is_left_alone()
    {
        var m = new Vp8Munger();
        byte[] payload = [0x90, 0x80]; // X and I set, PictureID missing
        Assert.False(m.Munge(payload, out _));
        Assert.Equal([0x90, 0x80], payload);
    }

    [Fact]
    public void Restore_writes_the_numbers_a_packet_was_first_sent_with()
    {
        var m = new Vp8Munger();
        Munge(m, 10, 20);
        m.RequestResync();
        var payload = new byte[16];
        Packets.Vp8Descriptor(payload, 6000, 99, 4);
        var original = payload.ToArray();
        Assert.True(m.Munge(payload, out var numbers));
        var munged = payload.ToArray();

        Vp8Munger.Restore(original, numbers); // what a retransmission does with the cached copy
        Assert.Equal(munged, original);
    }

    private static (int, int) Pick((int PictureId, bool Long, int Tl0, int KeyIdx, int Size) p) => (p.PictureId, p.Tl0);
}
