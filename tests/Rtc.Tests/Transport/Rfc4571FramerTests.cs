using MobZ.Rtc.Transport;

namespace MobZ.Rtc.Tests.Transport;

public class Rfc4571FramerTests
{
    private static byte[] Frame(params byte[] payload) =>
        [(byte)(payload.Length >> 8), (byte)payload.Length, .. payload];

    private static void Feed(Rfc4571Framer framer, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(framer.FreeSpace.Span);
        framer.Advance(bytes.Length);
    }

    [Fact]
    public void A_frame_arriving_byte_by_byte_comes_out_whole_once_complete()
    {
        var framer = new Rfc4571Framer(1500);
        byte[] stream = Frame(1, 2, 3, 4, 5);

        for (int i = 0; i < stream.Length - 1; i++)
        {
            Feed(framer, stream.AsSpan(i, 1));
            Assert.Equal(FrameStatus.NeedMore, framer.TryRead(out _));
            framer.Compact();
        }
        Feed(framer, stream.AsSpan(^1));

        Assert.Equal(FrameStatus.Frame, framer.TryRead(out var frame));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, frame.ToArray());
        Assert.Equal(FrameStatus.NeedMore, framer.TryRead(out _));
    }

    [Fact]
    public void Two_frames_and_the_start_of_a_third_in_one_read_give_two_frames_and_keep_the_rest()
    {
        var framer = new Rfc4571Framer(1500);
        byte[] third = Frame(7, 8, 9);
        Feed(framer, [.. Frame(1), .. Frame(2, 3), .. third.AsSpan(0, 3)]);

        Assert.Equal(FrameStatus.Frame, framer.TryRead(out var first));
        Assert.Equal(new byte[] { 1 }, first.ToArray());
        Assert.Equal(FrameStatus.Frame, framer.TryRead(out var second));
        Assert.Equal(new byte[] { 2, 3 }, second.ToArray());
        Assert.Equal(FrameStatus.NeedMore, framer.TryRead(out _));

        framer.Compact();
        Assert.Equal(3, framer.Buffered);
        Feed(framer, third.AsSpan(3));
        Assert.Equal(FrameStatus.Frame, framer.TryRead(out var last));
        Assert.Equal(new byte[] { 7, 8, 9 }, last.ToArray());
    }

    [Fact]
    public void A_largest_frame_split_behind_a_small_one_always_fits_after_compaction()
    {
        var framer = new Rfc4571Framer(1500);
        byte[] big = Frame(Enumerable.Range(0, 1500).Select(i => (byte)i).ToArray());
        Feed(framer, [.. Frame(42), .. big.AsSpan(0, 1000)]);
        Assert.Equal(FrameStatus.Frame, framer.TryRead(out _));
        Assert.Equal(FrameStatus.NeedMore, framer.TryRead(out _));
        framer.Compact();

        Assert.True(framer.FreeSpace.Length >= big.Length - 1000);
        Feed(framer, big.AsSpan(1000));
        Assert.Equal(FrameStatus.Frame, framer.TryRead(out var frame));
        Assert.Equal(big.AsSpan(2).ToArray(), frame.ToArray());
    }

    [Theory]
    [InlineData(1501)]
    [InlineData(65535)]
    [InlineData(0)]
    public void A_length_of_zero_or_above_the_limit_is_malformed_before_its_payload_arrives(int length)
    {
        var framer = new Rfc4571Framer(1500);
        Feed(framer, [(byte)(length >> 8), (byte)length]);

        Assert.Equal(FrameStatus.Malformed, framer.TryRead(out _));
    }

    [Fact]
    public void The_buffer_is_two_largest_frames_whatever_a_client_declares()
    {
        var framer = new Rfc4571Framer(1500);

        Assert.Equal(2 * 1502, framer.FreeSpace.Length);
    }
}
