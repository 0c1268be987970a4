namespace MobZ.State.Tests.Conformance;

public abstract partial class StateConformanceTests
{
    [Fact]
    public async Task Hash_set_reports_new_fields_and_overwrites_old_ones()
    {
        Assert.True(await Store.HashSetAsync("h", "f", "1"));
        Assert.False(await Store.HashSetAsync("h", "f", "2"));
        Assert.Equal("2", await Store.HashGetAsync("h", "f"));
        Assert.Null(await Store.HashGetAsync("h", "other"));
        Assert.Null(await Store.HashGetAsync("missing", "f"));
    }

    [Fact]
    public async Task Hash_set_when_not_exists_keeps_the_first_value()
    {
        Assert.True(await Store.HashSetAsync("h", "f", "1", When.NotExists));
        Assert.False(await Store.HashSetAsync("h", "f", "2", When.NotExists));
        Assert.Equal("1", await Store.HashGetAsync("h", "f"));
    }

    [Fact]
    public async Task Hash_set_when_exists_writes_only_existing_fields()
    {
        Assert.False(await Store.HashSetAsync("h", "f", "1", When.Exists));
        Assert.False(await Store.ExistsAsync("h"));
        await Store.HashSetAsync("h", "f", "1");
        Assert.True(await Store.HashSetAsync("h", "f", "2", When.Exists));
        Assert.False(await Store.HashSetAsync("h", "g", "2", When.Exists));
        Assert.Equal(new Dictionary<string, string> { ["f"] = "2" }, await Store.HashGetAllAsync("h"));
    }

    [Fact]
    public async Task Hash_set_many_get_all_and_length_agree()
    {
        await Store.HashSetAsync("h", [new("a", "1"), new("b", "2"), new("c", "3")]);
        await Store.HashSetAsync("h", []);
        Assert.Equal(3, await Store.HashLengthAsync("h"));
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["a"] = "1",
                ["b"] = "2",
                ["c"] = "3",
            },
            await Store.HashGetAllAsync("h")
        );
        Assert.Empty(await Store.HashGetAllAsync("missing"));
        Assert.Equal(0, await Store.HashLengthAsync("missing"));
    }

    [Fact]
    public async Task Deleting_the_last_hash_field_deletes_the_key()
    {
        await Store.HashSetAsync("h", "f", "v");
        Assert.True(await Store.HashDeleteAsync("h", "f"));
        Assert.False(await Store.HashDeleteAsync("h", "f"));
        Assert.False(await Store.ExistsAsync("h"));
    }

    [Fact]
    public async Task Hash_increment_counts_per_field()
    {
        Assert.Equal(5, await Store.HashIncrementAsync("h", "load", 5));
        Assert.Equal(3, await Store.HashIncrementAsync("h", "load", -2));
        Assert.Equal(1, await Store.HashIncrementAsync("h", "other"));
        Assert.Equal("3", await Store.HashGetAsync("h", "load"));
    }

    [Fact]
    public async Task Hash_increment_of_a_non_integer_field_fails()
    {
        await Store.HashSetAsync("h", "f", "x");
        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.HashIncrementAsync("h", "f"));
    }
}
