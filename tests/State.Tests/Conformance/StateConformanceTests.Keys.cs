using System.Text;

namespace MobZ.State.Tests.Conformance;

public abstract partial class StateConformanceTests
{
    [Fact]
    public async Task Binary_value_round_trips_byte_for_byte()
    {
        var bytes = new byte[] { 0, 255, 0x80, 10, 13, 0, 1 };
        Assert.True(await Store.SetAsync("b", bytes));
        Assert.Equal(bytes, await Store.GetAsync("b"));
    }

    [Fact]
    public async Task Binary_value_from_a_slice_stores_only_the_slice()
    {
        var buffer = new byte[] { 9, 1, 2, 3, 9 };
        await Store.SetAsync("b", buffer.AsMemory(1, 3));
        Assert.Equal(new byte[] { 1, 2, 3 }, await Store.GetAsync("b"));
    }

    [Fact]
    public async Task String_value_round_trips_unicode_and_reads_back_as_bytes()
    {
        await Store.SetStringAsync("s", "héllo 🎥");
        Assert.Equal("héllo 🎥", await Store.GetStringAsync("s"));
        Assert.Equal(Encoding.UTF8.GetBytes("héllo 🎥"), await Store.GetAsync("s"));
    }

    [Fact]
    public async Task Missing_key_reads_as_null_and_does_not_exist()
    {
        Assert.Null(await Store.GetAsync("nope"));
        Assert.Null(await Store.GetStringAsync("nope"));
        Assert.False(await Store.ExistsAsync("nope"));
    }

    [Fact]
    public async Task Set_when_not_exists_writes_only_the_first_time()
    {
        Assert.True(await Store.SetStringAsync("k", "first", when: When.NotExists));
        Assert.False(await Store.SetStringAsync("k", "second", when: When.NotExists));
        Assert.Equal("first", await Store.GetStringAsync("k"));
    }

    [Fact]
    public async Task Set_when_exists_writes_only_over_an_existing_key()
    {
        Assert.False(await Store.SetAsync("k", new byte[] { 1 }, when: When.Exists));
        Assert.False(await Store.ExistsAsync("k"));
        await Store.SetStringAsync("k", "old");
        Assert.True(await Store.SetStringAsync("k", "new", when: When.Exists));
        Assert.Equal("new", await Store.GetStringAsync("k"));
    }

    [Fact]
    public async Task Increment_starts_from_zero_and_adds_the_step()
    {
        Assert.Equal(1, await Store.IncrementAsync("n"));
        Assert.Equal(11, await Store.IncrementAsync("n", 10));
        Assert.Equal(8, await Store.IncrementAsync("n", -3));
        Assert.Equal("8", await Store.GetStringAsync("n"));
    }

    [Fact]
    public async Task Increment_of_a_non_integer_fails_and_leaves_the_value()
    {
        await Store.SetStringAsync("n", "abc");
        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.IncrementAsync("n"));
        Assert.Equal("abc", await Store.GetStringAsync("n"));
    }

    [Fact]
    public async Task Reading_a_key_as_the_wrong_kind_fails_with_WRONGTYPE()
    {
        await Store.SetStringAsync("s", "text");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Store.HashGetAsync("s", "f"));
        Assert.Contains("WRONGTYPE", error.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.ListRightPushAsync("s", "x"));
    }

    [Fact]
    public async Task Delete_counts_only_keys_that_existed()
    {
        await Store.SetStringAsync("a", "1");
        await Store.SetAddAsync("b", "m");
        Assert.Equal(2, await Store.DeleteAsync("a", "b", "c"));
        Assert.False(await Store.ExistsAsync("a"));
        Assert.False(await Store.ExistsAsync("b"));
        Assert.Equal(0, await Store.DeleteAsync());
    }

    [Fact]
    public async Task Key_with_ttl_reports_the_time_left()
    {
        await Store.SetStringAsync("t", "v", TimeSpan.FromMinutes(1));
        var ttl = await Store.TimeToLiveAsync("t");
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Key_with_ttl_disappears_when_it_runs_out()
    {
        await Store.SetStringAsync("t", "v", TimeSpan.FromMilliseconds(200));
        await Eventually.WaitUntilAsync(async () => !await Store.ExistsAsync("t"), Patience, "the key expired");
        Assert.Null(await Store.GetStringAsync("t"));
        Assert.Null(await Store.TimeToLiveAsync("t"));
    }

    [Fact]
    public async Task Key_without_ttl_reports_no_ttl()
    {
        await Store.SetStringAsync("k", "v");
        Assert.Null(await Store.TimeToLiveAsync("k"));
        Assert.Null(await Store.TimeToLiveAsync("missing"));
    }

    [Fact]
    public async Task Expire_sets_a_ttl_on_an_existing_key_only()
    {
        Assert.False(await Store.ExpireAsync("missing", TimeSpan.FromSeconds(5)));
        await Store.HashSetAsync("h", "f", "v");
        Assert.True(await Store.ExpireAsync("h", TimeSpan.FromMinutes(1)));
        Assert.NotNull(await Store.TimeToLiveAsync("h"));
        Assert.True(await Store.ExpireAsync("h", TimeSpan.FromMilliseconds(150)));
        await Eventually.WaitUntilAsync(
            async () => await Store.HashLengthAsync("h") == 0,
            Patience,
            "the hash expired"
        );
        Assert.False(await Store.ExistsAsync("h"));
    }

    [Fact]
    public async Task Expire_with_a_non_positive_ttl_deletes_at_once()
    {
        await Store.SetStringAsync("k", "v");
        Assert.True(await Store.ExpireAsync("k", TimeSpan.Zero));
        Assert.False(await Store.ExistsAsync("k"));
    }

    [Fact]
    public async Task Plain_set_clears_a_ttl_but_increment_keeps_it()
    {
        await Store.SetStringAsync("k", "1", TimeSpan.FromMinutes(5));
        Assert.Equal(2, await Store.IncrementAsync("k"));
        Assert.NotNull(await Store.TimeToLiveAsync("k"));
        await Store.SetStringAsync("k", "3");
        Assert.Null(await Store.TimeToLiveAsync("k"));
    }

    [Fact]
    public async Task A_ttl_refreshed_before_it_runs_out_keeps_the_key()
    {
        await Store.SetStringAsync("k", "v", TimeSpan.FromSeconds(20));
        Assert.True(await Store.ExpireAsync("k", TimeSpan.FromMinutes(5)));
        var ttl = await Store.TimeToLiveAsync("k");
        Assert.NotNull(ttl);
        Assert.True(ttl > TimeSpan.FromMinutes(4), $"ttl was {ttl}");
    }

    [Fact]
    public async Task Non_positive_ttl_on_set_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.SetStringAsync("k", "v", TimeSpan.Zero));
        Assert.False(await Store.ExistsAsync("k"));
    }
}
