using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using MobZ.Signaling.Tests.Harness;
using MobZ.TestKit.Redis;

namespace MobZ.Signaling.Tests.Rooms;

/// <summary>
/// Each JoinAck carries TURN credentials of its own in the TURN REST API scheme (username "expiry:id", password
/// base64 HMAC-SHA1 of it with the shared secret), checked here as a TURN server checks them.
/// </summary>
public sealed class TurnCredentialTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const string Secret = "north-wind-7";

    [Theory]
    [MemberData(nameof(Backends.Both), MemberType = typeof(Backends))]
    public async Task JoinAck_hands_each_client_its_own_expiring_TURN_credential_beside_the_static_servers(
        string backend
    )
    {
        await using var h = await RoomHarness.CreateAsync(backend, redis, o =>
        {
            o.IceServers = [new() { Urls = ["stun:stun.example.org:3478"] }];
            o.Turn = new()
            {
                Urls = ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349?transport=tcp"],
                SharedSecret = Secret,
                CredentialLifetime = TimeSpan.FromHours(2),
            };
        });
        var a = await h.ConnectAsync();
        var b = await h.ConnectAsync();
        long before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var ackA = await a.JoinAsync("turn-room", "p2p");
        var ackB = await b.JoinAsync("turn-room", "p2p");
        long after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var servers = ackA.GetProperty("iceServers").EnumerateArray().ToList();
        Assert.Equal(2, servers.Count);
        Assert.Equal("stun:stun.example.org:3478", servers[0].GetProperty("urls")[0].GetString());
        var turnA = servers[1];
        Assert.Equal(
            ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349?transport=tcp"],
            turnA.GetProperty("urls").EnumerateArray().Select(u => u.GetString())
        );

        string username = turnA.GetProperty("username").GetString()!;
        var parts = username.Split(':', 2);
        long expires = long.Parse(parts[0], CultureInfo.InvariantCulture);
        Assert.InRange(expires, before + 7200, after + 7200);
        Assert.Equal(a.ConnectionId, parts[1]);
        Assert.Equal(Hmac(username), turnA.GetProperty("credential").GetString());

        var turnB = ackB.GetProperty("iceServers")[1];
        Assert.NotEqual(username, turnB.GetProperty("username").GetString());
        Assert.Equal(Hmac(turnB.GetProperty("username").GetString()!), turnB.GetProperty("credential").GetString());
    }

    [Fact]
    public async Task A_TURN_url_without_its_shared_secret_stops_the_host_at_start()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
            await RoomHarness.CreateAsync(Backends.Gateway + Backends.InProcess, redis, o =>
                o.Turn = new() { Urls = ["turn:turn.example.org:3478"] }
            )
        );
        Assert.Contains("SharedSecret", error.Message);
    }

    private static string Hmac(string username) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(username)));
}
