namespace MobZ.State.Tests;

public sealed class HashSlotTests
{
    // Expected slots as `redis-cli CLUSTER KEYSLOT <key>` answers on Redis 7.0.
    [Theory]
    [InlineData("foo", 12182)]
    [InlineData("bar", 5061)]
    [InlineData("hello", 866)]
    [InlineData("{user1000}.following", 3443)]
    [InlineData("{user1000}.followers", 3443)]
    [InlineData("foo{}{bar}", 8363)]
    [InlineData("foo{{bar}}zap", 4015)]
    [InlineData("foo{bar}{zap}", 5061)]
    public void A_key_lands_in_the_slot_redis_cluster_gives_it(string key, int slot) =>
        Assert.Equal(slot, HashSlot.Of(key));
}
