using Microsoft.Extensions.Logging;
using MobZ.State.Redis;
using MobZ.TestKit.Redis;

namespace MobZ.State.Tests.Conformance;

public sealed class RedisConformanceTests(RedisServer server) : StateConformanceTests, IClassFixture<RedisServer>
{
    // One prefix per test: tests never see each other's keys, on a private or a shared server.
    private readonly string _prefix = server.NewKeyPrefix();

    protected override Task<IStateBackend> OpenAsync(ILoggerFactory loggerFactory) =>
        server.CreateBackendAsync(_prefix, loggerFactory);

    protected override async Task<IReadOnlyList<IStateBackend>> OpenClientsAsync(int count)
    {
        var clients = new List<IStateBackend>();
        for (var i = 0; i < count; i++)
            clients.Add(await OpenExtraAsync());
        return clients;
    }

    [Fact]
    public void Factory_with_configuration_builds_the_redis_backend()
    {
        Assert.Equal("redis", Backend.Name);
        Assert.Equal(_prefix, Assert.IsType<RedisBackend>(Backend).KeyPrefix);
    }

    [Fact]
    public async Task Binary_values_are_stored_as_raw_bytes_under_the_prefix()
    {
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        await Store.SetAsync("blob", bytes);

        // Base64 would make it 344 bytes long; the server must hold exactly what we gave.
        Assert.Equal("256", await server.CommandAsync("STRLEN", _prefix + "blob"));
        Assert.Equal("0", await server.CommandAsync("EXISTS", "blob"));
        Assert.Equal(bytes, await Store.GetAsync("blob"));
    }

    [Fact]
    public async Task Backends_with_different_prefixes_share_neither_keys_nor_channels()
    {
        await using var other = await server.CreateBackendAsync(server.NewKeyPrefix());
        await Store.SetStringAsync("k", "mine");
        Assert.Null(await other.Store.GetStringAsync("k"));

        await using var subscription = await Bus.SubscribeAsync("c", _ => Task.CompletedTask);
        Assert.Equal(0, await other.Bus.PublishAsync("c", "hello"));
        Assert.True(await Bus.PublishAsync("c", "hello") > 0);
    }
}
