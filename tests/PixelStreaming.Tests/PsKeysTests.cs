using MobZ.PixelStreaming.Matching;
using MobZ.State.Atomic;

namespace MobZ.PixelStreaming.Tests;

public sealed class PsKeysTests
{
    [Theory]
    [InlineData("ps:", "ps")]
    [InlineData("ps-test-1:", "ps-test-1")]
    [InlineData("", "ps")]
    [InlineData("{eu}:ps:", "eu")]
    public void Session_keys_share_one_hash_tag_so_one_script_may_change_them_on_a_cluster(string prefix, string tag)
    {
        var keys = new PsKeys(prefix);

        string[] session =
        [
            keys.Connection("c1"),
            keys.Streamer("s1"),
            keys.Player("p1"),
            keys.PlayerResume("p1"),
            keys.Streamers,
            keys.Idle,
            keys.Queue,
            keys.QueueStats,
        ];
        Assert.All(session, key => Assert.Equal(tag, HashTag.Of(key)));
    }

    [Fact]
    public void Configuration_keys_keep_the_plain_prefix_so_an_upgrade_still_reads_them()
    {
        var keys = new PsKeys("ps:");

        Assert.Equal("ps:allowed-ips", keys.AllowedIps);
        Assert.Equal("ps:instance:i1", keys.Instance("i1"));
        Assert.Equal("ps:instances", keys.Instances);
        Assert.Equal("ps:instance-ip:10.0.0.1", keys.InstanceByIp("10.0.0.1"));
    }
}
