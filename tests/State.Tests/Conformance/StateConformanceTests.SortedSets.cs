namespace MobZ.State.Tests.Conformance;

public abstract partial class StateConformanceTests
{
    [Fact]
    public async Task Sorted_set_orders_by_score_then_by_member_bytes()
    {
        await Store.SortedSetAddAsync("z", "b", 1);
        await Store.SortedSetAddAsync("z", "a", 1);
        await Store.SortedSetAddAsync("z", "B", 1);
        await Store.SortedSetAddAsync("z", "low", -5.5);
        await Store.SortedSetAddAsync("z", "top", double.PositiveInfinity);
        await Store.SortedSetAddAsync("z", "bottom", double.NegativeInfinity);
        // Past U+FFFF: UTF-8 sorts U+1F3A5 after U+FF21, UTF-16 code units would not.
        await Store.SortedSetAddAsync("z", "🎥", 2);
        await Store.SortedSetAddAsync("z", "Ａ", 2);

        var all = await Store.SortedSetRangeByScoreAsync("z");
        Assert.Equal(
            [
                new("bottom", double.NegativeInfinity),
                new("low", -5.5),
                new("B", 1),
                new("a", 1),
                new("b", 1),
                new("Ａ", 2),
                new("🎥", 2),
                new("top", double.PositiveInfinity),
            ],
            all
        );
    }

    [Fact]
    public async Task Sorted_set_add_updates_the_score_of_an_existing_member()
    {
        Assert.True(await Store.SortedSetAddAsync("z", "m", 3));
        Assert.False(await Store.SortedSetAddAsync("z", "m", 0.25));
        Assert.Equal(0.25, await Store.SortedSetScoreAsync("z", "m"));
        Assert.Null(await Store.SortedSetScoreAsync("z", "other"));
        Assert.Equal(1, await Store.SortedSetLengthAsync("z"));
    }

    [Theory]
    [InlineData(2.0, 4.0, 0L, -1L, "m2,m3,m4")]
    [InlineData(double.NegativeInfinity, double.PositiveInfinity, 1L, 2L, "m1,m2")]
    [InlineData(double.NegativeInfinity, double.PositiveInfinity, 4L, -1L, "m4,m5")]
    [InlineData(3.0, 3.0, 0L, -1L, "m3")]
    [InlineData(4.0, 2.0, 0L, -1L, "")]
    [InlineData(2.0, 5.0, 0L, 1L, "m2")]
    [InlineData(2.0, 5.0, 10L, -1L, "")]
    [InlineData(2.0, 5.0, 0L, 0L, "")]
    public async Task Sorted_set_range_by_score_honours_bounds_skip_and_take(
        double min,
        double max,
        long skip,
        long take,
        string expected
    )
    {
        for (var i = 0; i <= 5; i++)
            await Store.SortedSetAddAsync("z", $"m{i}", i);
        var range = await Store.SortedSetRangeByScoreAsync("z", min, max, skip, take);
        Assert.Equal(expected, string.Join(',', range.Select(m => m.Member)));
    }

    [Fact]
    public async Task Removing_the_last_sorted_set_member_deletes_the_key()
    {
        await Store.SortedSetAddAsync("z", "m", 1);
        Assert.True(await Store.SortedSetRemoveAsync("z", "m"));
        Assert.False(await Store.SortedSetRemoveAsync("z", "m"));
        Assert.False(await Store.ExistsAsync("z"));
        Assert.Empty(await Store.SortedSetRangeByScoreAsync("z"));
    }

    [Fact]
    public async Task Sorted_set_refuses_a_nan_score()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.SortedSetAddAsync("z", "m", double.NaN));
        Assert.False(await Store.ExistsAsync("z"));
    }
}
