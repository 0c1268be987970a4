namespace MobZ.State.Tests.Conformance;

public abstract partial class StateConformanceTests
{
    [Fact]
    public async Task Set_add_remove_contains_and_members_behave_as_a_set()
    {
        Assert.True(await Store.SetAddAsync("s", "a"));
        Assert.False(await Store.SetAddAsync("s", "a"));
        Assert.True(await Store.SetAddAsync("s", "b"));
        Assert.True(await Store.SetContainsAsync("s", "a"));
        Assert.False(await Store.SetContainsAsync("s", "z"));
        Assert.Equal(2, await Store.SetLengthAsync("s"));
        Assert.Equal(["a", "b"], (await Store.SetMembersAsync("s")).Order(StringComparer.Ordinal));

        Assert.True(await Store.SetRemoveAsync("s", "a"));
        Assert.False(await Store.SetRemoveAsync("s", "a"));
        Assert.Equal(["b"], await Store.SetMembersAsync("s"));
    }

    [Fact]
    public async Task Removing_the_last_set_member_deletes_the_key()
    {
        await Store.SetAddAsync("s", "only");
        await Store.SetRemoveAsync("s", "only");
        Assert.False(await Store.ExistsAsync("s"));
        Assert.Empty(await Store.SetMembersAsync("s"));
        Assert.Equal(0, await Store.SetLengthAsync("s"));
    }
}
