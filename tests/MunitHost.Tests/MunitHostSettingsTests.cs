using MobZ.MunitHost.Configuration;

namespace MobZ.MunitHost.Tests;

public sealed class MunitHostSettingsTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Reads_the_variables_the_task_definition_sets()
    {
        var settings = MunitHostSettings.FromEnvironment(
            Env(
                ("MOBZ_REDIS", "redis.internal:6379"),
                ("MUNIT_UDP_PORT", "40001"),
                ("MUNIT_CAPACITY", "50"),
                ("MUNIT_PUBLIC_IP", "ecs")
            )
        );

        Assert.Equal("redis.internal:6379", settings.Redis);
        Assert.Equal(40001, settings.UdpPort);
        Assert.Equal(50, settings.Capacity);
        Assert.True(settings.DiscoversPublicIp);
        Assert.Equal("0.0.0.0", settings.BindAddress);
        Assert.True(settings.DrainTimeout < TimeSpan.FromSeconds(120), "the drain must end before ECS's StopTimeout");
    }

    [Fact]
    public void A_literal_public_ip_is_announced_as_is()
    {
        var settings = MunitHostSettings.FromEnvironment(
            Env(("MOBZ_REDIS", "r:6379"), ("MUNIT_PUBLIC_IP", "203.0.113.9"))
        );
        Assert.False(settings.DiscoversPublicIp);
        Assert.Equal("203.0.113.9", settings.PublicIp);
        Assert.Null(settings.Capacity);
        Assert.Equal(MunitHostSettings.DefaultUdpPort, settings.UdpPort);
    }

    [Theory]
    [InlineData(null, null, null, null, "MOBZ_REDIS")]
    [InlineData("r:6379", "70000", null, null, "MUNIT_UDP_PORT")]
    [InlineData("r:6379", "-1", null, null, "MUNIT_UDP_PORT")]
    [InlineData("r:6379", null, "0", null, "MUNIT_CAPACITY")]
    [InlineData("r:6379", null, "many", null, "MUNIT_CAPACITY")]
    [InlineData("r:6379", null, null, "my-host.example", "MUNIT_PUBLIC_IP")]
    public void A_bad_variable_is_named_in_the_error(
        string? redis,
        string? port,
        string? capacity,
        string? publicIp,
        string named
    )
    {
        var env = new Dictionary<string, string?>
        {
            ["MOBZ_REDIS"] = redis,
            ["MUNIT_UDP_PORT"] = port,
            ["MUNIT_CAPACITY"] = capacity,
            ["MUNIT_PUBLIC_IP"] = publicIp,
        };
        var error = Assert.Throws<MunitHostConfigurationException>(() =>
            MunitHostSettings.FromEnvironment(n => env.GetValueOrDefault(n))
        );
        Assert.StartsWith(named, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("0", 0)]
    [InlineData("40443", 40443)]
    public void The_ice_tcp_port_defaults_to_the_udp_ports_number_and_0_turns_it_off(string? value, int? expected)
    {
        var settings = MunitHostSettings.FromEnvironment(Env(("MOBZ_REDIS", "r:6379"), ("MUNIT_TCP_PORT", value!)));
        Assert.Equal(expected, settings.TcpPort);
    }

    [Fact]
    public void A_bad_ice_tcp_port_is_named_in_the_error()
    {
        var error = Assert.Throws<MunitHostConfigurationException>(() =>
            MunitHostSettings.FromEnvironment(Env(("MOBZ_REDIS", "r:6379"), ("MUNIT_TCP_PORT", "70000")))
        );
        Assert.StartsWith("MUNIT_TCP_PORT", error.Message, StringComparison.Ordinal);
    }
}
