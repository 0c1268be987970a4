using MobZ.Munit.Rtp;

namespace MobZ.Munit.Tests.Rtp;

public class SeqManagerTests
{
    public enum Op
    {
        Input,
        Drop,
        Sync,
    }

    // Each row: operation, input, expected output (-1: the input must be refused).
    public record Step(Op Op, ushort Input, int Expected = -2);

    private static void Run(params Step[] steps)
    {
        var seq = new SeqManager();
        for (int i = 0; i < steps.Length; i++)
        {
            var s = steps[i];
            switch (s.Op)
            {
                case Op.Sync:
                    seq.Sync(s.Input);
                    break;
                case Op.Drop:
                    seq.Drop(s.Input);
                    break;
                case Op.Input:
                    bool ok = seq.Input(s.Input, out ushort output);
                    if (s.Expected == -1)
                    {
                        Assert.False(ok, $"step {i}: input {s.Input} should be refused");
                    }
                    else
                    {
                        Assert.True(ok, $"step {i}: input {s.Input} refused");
                        Assert.True(
                            s.Expected == output,
                            $"step {i}: input {s.Input} → {output}, expected {s.Expected}"
                        );
                    }
                    break;
            }
        }
    }

    private static Step In(ushort input, int expected) => new(Op.Input, input, expected);

    private static Step Drop(ushort input) => new(Op.Drop, input);

    private static Step Sync(ushort input) => new(Op.Sync, input);

    [Fact]
    public void In_order_inputs_pass_through_unchanged() => Run(In(0, 0), In(1, 1), In(2, 2), In(3, 3), In(4, 4));

    [Fact]
    public void Wrap_around_is_continuous() =>
        Run(In(65533, 65533), In(65534, 65534), In(65535, 65535), In(0, 0), In(1, 1));

    [Fact]
    public void Reordered_inputs_keep_their_place() => Run(In(10, 10), In(12, 12), In(11, 11), In(13, 13));

    [Fact]
    public void Dropped_input_leaves_no_gap() => Run(In(0, 0), In(1, 1), Drop(2), In(3, 2), In(4, 3));

    [Fact]
    public void Several_drops_accumulate() => Run(In(0, 0), Drop(1), Drop(2), In(3, 1), Drop(4), In(5, 2), In(6, 3));

    [Fact]
    public void Dropped_input_arriving_again_is_refused() => Run(In(0, 0), Drop(1), In(2, 1), In(1, -1), In(3, 2));

    [Fact]
    public void Reordered_input_older_than_a_drop_uses_the_base_before_the_drop() =>
        Run(In(0, 0), In(1, 1), In(3, 3), Drop(4), In(5, 4), In(2, 2), In(6, 5));

    [Fact]
    public void Drop_of_an_old_input_is_ignored() => Run(In(0, 0), In(1, 1), In(3, 3), Drop(2), In(4, 4));

    [Fact]
    public void Drops_across_wrap_around() =>
        Run(In(65534, 65534), Drop(65535), In(0, 65535), Drop(1), In(2, 0), In(3, 1));

    [Fact]
    public void Sync_continues_after_the_highest_output() =>
        Run(In(100, 100), In(101, 101), In(102, 102), Sync(5000), In(5000, 103), In(5001, 104), In(4999, 102));

    [Fact]
    public void Sync_to_lower_numbers_continues_forward() =>
        Run(In(30000, 30000), In(30001, 30001), Sync(7), In(7, 30002), In(8, 30003));

    [Fact]
    public void Sync_across_wrap_of_the_output() =>
        Run(In(65534, 65534), In(65535, 65535), Sync(1000), In(1000, 0), In(1001, 1));

    [Fact]
    public void Sync_clears_previous_drops() =>
        Run(In(0, 0), Drop(1), In(2, 1), Sync(500), In(500, 2), In(501, 3), In(502, 4));

    [Fact]
    public void Drops_before_the_first_output_shift_numbering() => Run(Drop(10), Drop(11), In(12, 10), In(13, 11));

    [Fact]
    public void Sync_before_any_output_keeps_input_numbering() => Run(Sync(40), In(40, 40), In(41, 41));

    [Fact]
    public void Dropped_window_is_bounded_and_old_drops_are_forgotten()
    {
        var seq = new SeqManager();
        Assert.True(seq.Input(0, out _));
        ushort input = 1;
        ushort expected = 1;
        // 300 drops interleaved with sends: more than the ring holds, outputs stay consecutive.
        for (int i = 0; i < 300; i++)
        {
            seq.Drop(input++);
            Assert.True(seq.Input(input++, out ushort output));
            Assert.Equal(expected++, output);
        }
    }

    [Fact]
    public void Random_drops_and_sends_produce_consecutive_outputs()
    {
        var rng = new Random(1234);
        var seq = new SeqManager();
        ushort input = (ushort)rng.Next(65536);
        Assert.True(seq.Input(input, out ushort previous));
        for (int i = 0; i < 200_000; i++)
        {
            input++;
            if (rng.Next(4) == 0)
            {
                seq.Drop(input);
                continue;
            }
            if (rng.Next(50) == 0)
            {
                input += (ushort)rng.Next(1, 40000);
                seq.Sync(input);
            }
            Assert.True(seq.Input(input, out ushort output));
            Assert.Equal((ushort)(previous + 1), output);
            previous = output;
        }
    }
}
