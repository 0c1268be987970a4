using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.PixelStreaming.Tests.Support;
using MobZ.State;
using MobZ.TestKit;
using MobZ.TestKit.Turn;

namespace MobZ.PixelStreaming.Tests;

/// <summary>Players and streamers behind networks that block UDP get their own TURN credentials in
/// <c>config</c>.</summary>
public sealed class TurnConfigTests : IAsyncLifetime
{
    private IStateBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await StateBackend.CreateAsync(null, NullLoggerFactory.Instance);

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task Each_player_and_streamer_gets_TURN_credentials_of_its_own_that_a_real_coturn_accepts()
    {
        await using var coturn = await Coturn.StartAsync();
        await using var ps = new PsStack(_backend.Store, o =>
        {
            o.Turn.Urls = [coturn.Url];
            o.Turn.SharedSecret = coturn.Secret;
        });
        var (s, _) = await ps.RegisterStreamerAsync("ue-turn");
        var p = await ps.ConnectPlayerAsync("turn-player");
        await ps.SendAsync(p, new JsonObject { ["type"] = "listStreamers" });
        await ps.NextAsync(p, "streamerList");

        var entries = new[] { s, p }.Select(conn => TurnEntry(ps.Gateway[conn].OfType("config").Single())).ToArray();
        Assert.NotEqual(entries[0].Username, entries[1].Username);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        foreach (var (username, password) in entries)
        {
            Assert.Equal(
                0,
                await TurnAllocation.TryAllocateAsync(
                    new IPEndPoint(IPAddress.Loopback, coturn.Port),
                    username,
                    password,
                    deadline.Token
                )
            );
        }
        // The same username with a password of someone else's is refused: the credential is the client's own.
        Assert.Equal(
            401,
            await TurnAllocation.TryAllocateAsync(
                new IPEndPoint(IPAddress.Loopback, coturn.Port),
                entries[0].Username,
                entries[1].Password,
                deadline.Token
            )
        );
    }

    [Fact]
    public async Task The_TURN_entry_joins_ice_servers_the_operator_configured()
    {
        await using var ps = new PsStack(_backend.Store, o =>
        {
            o.PeerConnectionOptions = """{"iceServers":[{"urls":["stun:stun.example.test:3478"]}]}""";
            o.Turn.Urls = ["turn:turn.example.test:3478?transport=udp"];
            o.Turn.SharedSecret = "s3cret";
        });
        var (s, _) = await ps.RegisterStreamerAsync("ue-turn-2");
        var servers = ps.Gateway[s].OfType("config").Single()["peerConnectionOptions"]!["iceServers"]!.AsArray();
        Assert.Equal(2, servers.Count);
        Assert.Equal("stun:stun.example.test:3478", (string?)servers[0]!["urls"]![0]);
        Assert.Equal("turn:turn.example.test:3478?transport=udp", (string?)servers[1]!["urls"]![0]);
    }

    [Fact]
    public void TURN_URLs_without_the_shared_secret_fail_at_startup()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            new PsStack(_backend.Store, o => o.Turn.Urls = ["turn:turn.example.test:3478"])
        );
        Assert.Contains("PS_TURN_SECRET", e.Message);
    }

    private static (string Username, string Password) TurnEntry(JsonNode config)
    {
        var turn = config["peerConnectionOptions"]!["iceServers"]!
            .AsArray()
            .Single(s => ((string?)s!["urls"]![0])!.StartsWith("turn:", StringComparison.Ordinal))!;
        return ((string)turn["username"]!, (string)turn["credential"]!);
    }
}
