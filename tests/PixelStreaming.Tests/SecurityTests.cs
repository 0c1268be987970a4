using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.PixelStreaming.Security;
using MobZ.PixelStreaming.Tests.Support;
using MobZ.State;

namespace MobZ.PixelStreaming.Tests;

public sealed class SecurityTests : IAsyncLifetime
{
    private IStateBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await StateBackend.CreateAsync(null, NullLoggerFactory.Instance);

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    private static Dictionary<string, string> Player(string? token, string? projectUrl = "https%3A%2F%2Fp.example.test%2Fa") =>
        new() { ["type"] = "player", ["token"] = token!, ["projectUrl"] = projectUrl! };

    public static TheoryData<string, string?, int> Tokens() => new()
    {
        { "valid", TestTokens.Hs256("kim"), 200 },
        { "expired", TestTokens.Hs256("kim", expires: DateTime.UtcNow.AddMinutes(-5)), 401 },
        { "wrong issuer", TestTokens.Hs256("kim", issuer: "https://evil.example.test/"), 401 },
        { "wrong audience", TestTokens.Hs256("kim", audience: "someone-else"), 401 },
        { "missing userId", TestTokens.Hs256(null), 401 },
        { "wrong key", TestTokens.Hs256("kim", secret: "another-secret-that-is-long-enough-for-hs256-xyz"), 401 },
        { "garbage", "not.a.jwt", 401 },
        { "no exp claim", TestTokens.Hs256WithoutExpiry("kim"), 401 },
        { "missing", null, 401 },
    };

    [Theory]
    [MemberData(nameof(Tokens))]
    public async Task Player_connect_is_admitted_only_with_a_valid_token(string because, string? token, int expected)
    {
        await using var ps = new PsStack(_backend.Store);
        var query = Player(token);
        if (token is null) query.Remove("token");
        var (status, _) = await ps.ConnectAsync(query);
        Assert.True(expected == status, $"{because}: expected {expected}, got {status}");
    }

    [Fact]
    public async Task Token_failures_are_named()
    {
        var validator = new PlayerTokenValidator(new PlayerTokenOptions { HmacSecret = TestTokens.Secret, Issuer = TestTokens.Issuer, Audience = TestTokens.Audience });
        Assert.Equal("token expired", (await validator.ValidateAsync(TestTokens.Hs256("x", expires: DateTime.UtcNow.AddMinutes(-5)))).Failure);
        Assert.Equal("wrong issuer", (await validator.ValidateAsync(TestTokens.Hs256("x", issuer: "other"))).Failure);
        Assert.Equal("wrong audience", (await validator.ValidateAsync(TestTokens.Hs256("x", audience: "other"))).Failure);
        Assert.Equal("token has no userId claim", (await validator.ValidateAsync(TestTokens.Hs256(null))).Failure);
        Assert.Equal("token has no expiry", (await validator.ValidateAsync(TestTokens.Hs256WithoutExpiry("x"))).Failure);
        Assert.Equal("x", (await validator.ValidateAsync(TestTokens.Hs256("x"))).PlayerId);
    }

    [Fact]
    public async Task Rs256_tokens_verify_with_the_configured_public_key_only()
    {
        using var key = RSA.Create(2048);
        using var other = RSA.Create(2048);
        var validator = new PlayerTokenValidator(new PlayerTokenOptions { RsaPublicKeyPem = key.ExportSubjectPublicKeyInfoPem(), Issuer = TestTokens.Issuer, Audience = TestTokens.Audience });
        Assert.Equal("leo", (await validator.ValidateAsync(TestTokens.Rs256(key, "leo"))).PlayerId);
        Assert.False((await validator.ValidateAsync(TestTokens.Rs256(other, "leo"))).IsValid);
        // An HS256 token must not pass by abusing the public key as an HMAC secret.
        Assert.False((await validator.ValidateAsync(TestTokens.Hs256("leo", secret: key.ExportSubjectPublicKeyInfoPem()))).IsValid);
    }

    [Fact]
    public async Task Player_token_user_id_becomes_the_player_id()
    {
        await using var ps = new PsStack(_backend.Store);
        var (status, conn) = await ps.ConnectAsync(Player(TestTokens.Hs256("user-42")));
        Assert.Equal(200, status);
        Assert.Equal(conn, await ps.Store.HashGetAsync(ps.Keys.Player("user-42"), Matching.PsFields.Conn));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("relative/path")]
    [InlineData("javascript:alert(document.cookie)")]
    [InlineData("javascript%3Aalert(1)")]
    [InlineData("JavaScript:alert(1)")]
    [InlineData("data:text/html,%3Cscript%3Ealert(1)%3C/script%3E")]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://projects.example.test/p.uproject")]
    [InlineData("vbscript:msgbox(1)")]
    [InlineData("https://")]
    public async Task Player_without_a_usable_project_url_is_refused(string? projectUrl)
    {
        await using var ps = new PsStack(_backend.Store);
        var query = Player(TestTokens.Hs256("mia"), projectUrl);
        if (projectUrl is null) query.Remove("projectUrl");
        Assert.Equal(400, (await ps.ConnectAsync(query)).Status);
    }

    [Theory]
    [InlineData("https://projects.example.test/p1.uproject", "https://projects.example.test/p1.uproject")]
    [InlineData("http%3A%2F%2Fprojects.example.test%2Fp%201.uproject", "http://projects.example.test/p 1.uproject")]
    public async Task Http_and_https_project_urls_are_admitted(string projectUrl, string stored)
    {
        await using var ps = new PsStack(_backend.Store);
        var (status, conn) = await ps.ConnectAsync(Player(TestTokens.Hs256("nia"), projectUrl));
        Assert.Equal(200, status);
        Assert.Equal(stored, await ps.Store.HashGetAsync(ps.Keys.Connection(conn), Matching.PsFields.ProjectUrl));
    }

    [Fact]
    public async Task Streamer_from_an_address_not_on_the_allow_list_is_refused_with_403()
    {
        await using var ps = new PsStack(_backend.Store);
        await ps.Get<StreamerAllowList>().AddAsync("10.0.0.7");
        Assert.Equal(403, (await ps.ConnectAsync(new Dictionary<string, string> { ["type"] = "streamer" }, "10.0.0.8")).Status);
        Assert.Equal(200, (await ps.ConnectAsync(new Dictionary<string, string> { ["type"] = "streamer" }, "10.0.0.7")).Status);
        // No query at all means a streamer (Unreal connects without one).
        Assert.Equal(200, (await ps.ConnectAsync(new Dictionary<string, string>(), "::ffff:10.0.0.7")).Status);
        await ps.Get<StreamerAllowList>().RemoveAsync("10.0.0.7");
        Assert.Equal(403, (await ps.ConnectAsync(new Dictionary<string, string>(), "10.0.0.7")).Status);
    }

    [Fact]
    public async Task Disabled_allow_list_admits_streamers_from_anywhere()
    {
        await using var ps = new PsStack(_backend.Store, o => o.DisableIpAllowList = true);
        Assert.Equal(200, (await ps.ConnectAsync(new Dictionary<string, string> { ["type"] = "streamer" }, "203.0.113.9")).Status);
    }

    [Fact]
    public async Task Unknown_connection_type_is_refused()
    {
        await using var ps = new PsStack(_backend.Store);
        Assert.Equal(400, (await ps.ConnectAsync(new Dictionary<string, string> { ["type"] = "admin" })).Status);
    }
}
