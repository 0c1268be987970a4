namespace MobZ.State.Tests.Conformance;

public abstract partial class StateConformanceTests
{
    [Fact]
    public async Task List_is_first_in_first_out()
    {
        Assert.Equal(1, await Store.ListRightPushAsync("l", "a"));
        Assert.Equal(2, await Store.ListRightPushAsync("l", "b"));
        Assert.Equal("a", await Store.ListLeftPopAsync("l"));
        Assert.Equal("b", await Store.ListLeftPopAsync("l"));
        Assert.Null(await Store.ListLeftPopAsync("l"));
        Assert.False(await Store.ExistsAsync("l"));
    }

    [Theory]
    [InlineData(0L, -1L, "a,b,c,d,e")]
    [InlineData(1L, 2L, "b,c")]
    [InlineData(-2L, -1L, "d,e")]
    [InlineData(-100L, 1L, "a,b")]
    [InlineData(3L, 100L, "d,e")]
    [InlineData(4L, 2L, "")]
    [InlineData(5L, 10L, "")]
    [InlineData(-1L, -2L, "")]
    [InlineData(0L, 0L, "a")]
    public async Task List_range_uses_lrange_index_rules(long start, long stop, string expected)
    {
        foreach (var item in new[] { "a", "b", "c", "d", "e" })
            await Store.ListRightPushAsync("l", item);
        Assert.Equal(expected, string.Join(',', await Store.ListRangeAsync("l", start, stop)));
    }

    [Theory]
    [InlineData(0L, 4L, "b,c,b")]
    [InlineData(1L, 1L, "b,x,c,x,b,x")]
    [InlineData(2L, 2L, "b,c,x,b,x")]
    [InlineData(-1L, 1L, "x,b,x,c,x,b")]
    [InlineData(-2L, 2L, "x,b,x,c,b")]
    public async Task List_remove_follows_lrem_count_direction(long count, long removed, string remaining)
    {
        foreach (var item in new[] { "x", "b", "x", "c", "x", "b", "x" })
            await Store.ListRightPushAsync("l", item);
        Assert.Equal(removed, await Store.ListRemoveAsync("l", "x", count));
        Assert.Equal(remaining, string.Join(',', await Store.ListRangeAsync("l")));
        Assert.Equal(remaining.Split(',').Length, await Store.ListLengthAsync("l"));
    }

    [Fact]
    public async Task Missing_list_is_empty()
    {
        Assert.Empty(await Store.ListRangeAsync("l"));
        Assert.Equal(0, await Store.ListLengthAsync("l"));
        Assert.Equal(0, await Store.ListRemoveAsync("l", "x"));
    }

    [Fact]
    public async Task Removing_every_element_deletes_the_list()
    {
        await Store.ListRightPushAsync("l", "x");
        await Store.ListRightPushAsync("l", "x");
        Assert.Equal(2, await Store.ListRemoveAsync("l", "x"));
        Assert.False(await Store.ExistsAsync("l"));
    }
}
