using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.Tokens;
using MobZ.Access;
using MobZ.PixelStreaming.Api;
using MobZ.PixelStreaming.Security;
using MobZ.PixelStreaming.Tests.Support;
using MobZ.State;

namespace MobZ.PixelStreaming.Tests;

public sealed class SecurityTests : IAsyncLifetime
{
    private IStateBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await StateBackend.CreateAsync(null, NullLoggerFactory.Instance);

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    private static Dictionary<string, string> Player(
        string? token,
        string? projectUrl = "https%3A%2F%2Fp.example.test%2Fa"
    ) =>
        new()
        {
            ["type"] = "player",
            ["token"] = token!,
            ["projectUrl"] = projectUrl!,
        };

    public static TheoryData<string, string?, int> Tokens() =>
        new()
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
        if (token is null)
            query.Remove("token");
        var (status, _) = await ps.ConnectAsync(query);
        Assert.True(expected == status, $"{because}: expected {expected}, got {status}");
    }

    [Fact]
    public async Task Token_failures_are_named()
    {
        var access = new AccessTokenOptions();
        TestTokens.Configure(access);
        var validator = new PlayerTokenValidator(new AccessTokenValidator(access));
        Assert.Equal(
            "token expired",
            (await validator.ValidateAsync(TestTokens.Hs256("x", expires: DateTime.UtcNow.AddMinutes(-5)))).Failure
        );
        Assert.Equal("wrong issuer", (await validator.ValidateAsync(TestTokens.Hs256("x", issuer: "other"))).Failure);
        Assert.Equal(
            "wrong audience",
            (await validator.ValidateAsync(TestTokens.Hs256("x", audience: "other"))).Failure
        );
        Assert.Equal(
            "token has no sub or userId claim",
            (await validator.ValidateAsync(TestTokens.Hs256(null))).Failure
        );
        Assert.Equal(
            "token has no expiry",
            (await validator.ValidateAsync(TestTokens.Hs256WithoutExpiry("x"))).Failure
        );
        Assert.Equal("x", (await validator.ValidateAsync(TestTokens.Hs256("x"))).PlayerId);
    }

    [Fact]
    public async Task Rs256_tokens_verify_with_the_configured_public_key_only()
    {
        using var key = RSA.Create(2048);
        using var other = RSA.Create(2048);
        var validator = new PlayerTokenValidator(
            new AccessTokenValidator(
                new AccessTokenOptions
                {
                    PublicKeyPem = key.ExportSubjectPublicKeyInfoPem(),
                    Issuer = TestTokens.Issuer,
                    Audience = TestTokens.Audience,
                }
            )
        );
        Assert.Equal("leo", (await validator.ValidateAsync(TestTokens.Rs256(key, "leo"))).PlayerId);
        Assert.False((await validator.ValidateAsync(TestTokens.Rs256(other, "leo"))).IsValid);
        // An HS256 token must not pass by abusing the public key as an HMAC secret.
        Assert.False(
            (
                await validator.ValidateAsync(TestTokens.Hs256("leo", secret: key.ExportSubjectPublicKeyInfoPem()))
            ).IsValid
        );
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
        if (projectUrl is null)
            query.Remove("projectUrl");
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
        Assert.Equal(
            403,
            (await ps.ConnectAsync(new Dictionary<string, string> { ["type"] = "streamer" }, "10.0.0.8")).Status
        );
        Assert.Equal(
            200,
            (await ps.ConnectAsync(new Dictionary<string, string> { ["type"] = "streamer" }, "10.0.0.7")).Status
        );
        // No query at all means a streamer (Unreal connects without one).
        Assert.Equal(200, (await ps.ConnectAsync(new Dictionary<string, string>(), "::ffff:10.0.0.7")).Status);
        await ps.Get<StreamerAllowList>().RemoveAsync("10.0.0.7");
        Assert.Equal(403, (await ps.ConnectAsync(new Dictionary<string, string>(), "10.0.0.7")).Status);
    }

    [Fact]
    public async Task Disabled_allow_list_admits_streamers_from_anywhere()
    {
        await using var ps = new PsStack(_backend.Store, o => o.DisableIpAllowList = true);
        Assert.Equal(
            200,
            (await ps.ConnectAsync(new Dictionary<string, string> { ["type"] = "streamer" }, "203.0.113.9")).Status
        );
    }

    [Fact]
    public async Task Unknown_connection_type_is_refused()
    {
        await using var ps = new PsStack(_backend.Store);
        Assert.Equal(400, (await ps.ConnectAsync(new Dictionary<string, string> { ["type"] = "admin" })).Status);
    }

    public static TheoryData<string, Dictionary<string, object>, string?> ClaimSets() =>
        new()
        {
            {
                "sub, the standard claim",
                new() { ["sub"] = "sam" },
                "sam"
            },
            {
                "sub wins over userId",
                new() { ["sub"] = "sam", ["userId"] = "legacy" },
                "sam"
            },
            {
                "room ps with join",
                new()
                {
                    ["sub"] = "sam",
                    ["room"] = "ps",
                    ["grants"] = new[] { "join" },
                },
                "sam"
            },
            {
                "every room with join",
                new()
                {
                    ["sub"] = "sam",
                    ["room"] = "*",
                    ["grants"] = new[] { "join", "admin" },
                },
                "sam"
            },
            {
                "a call room's token",
                new()
                {
                    ["sub"] = "sam",
                    ["room"] = "team-a",
                    ["grants"] = new[] { "join" },
                },
                null
            },
            {
                "room ps without join",
                new()
                {
                    ["sub"] = "sam",
                    ["room"] = "ps",
                    ["grants"] = new[] { "subscribe" },
                },
                null
            },
            {
                "user id unusable as a store key",
                new() { ["sub"] = "sam:ps:conn" },
                null
            },
        };

    [Theory]
    [MemberData(nameof(ClaimSets))]
    public async Task Player_tokens_share_the_room_token_format(
        string because,
        Dictionary<string, object> claims,
        string? playerId
    )
    {
        var access = new AccessTokenOptions();
        TestTokens.Configure(access);
        var check = await new PlayerTokenValidator(new AccessTokenValidator(access)).ValidateAsync(
            TestTokens.Hs256Claims(claims)
        );
        Assert.True(
            playerId == check.PlayerId,
            $"{because}: expected {playerId ?? "refusal"}, got {check.PlayerId ?? check.Failure}"
        );
    }

    [Fact]
    public async Task Es256_player_tokens_verify_with_the_configured_public_key()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(
            System.Security.Cryptography.ECCurve.NamedCurves.nistP256
        );
        var validator = new PlayerTokenValidator(
            new AccessTokenValidator(new AccessTokenOptions { PublicKeyPem = key.ExportSubjectPublicKeyInfoPem() })
        );
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(
            new SecurityTokenDescriptor
            {
                Claims = new Dictionary<string, object> { ["userId"] = "eve" },
                Expires = DateTime.UtcNow.AddMinutes(5),
                SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(key), SecurityAlgorithms.EcdsaSha256),
            }
        );
        Assert.Equal("eve", (await validator.ValidateAsync(token)).PlayerId);
    }

    [Fact]
    public void Deprecated_ps_token_variables_fill_the_access_settings()
    {
        var env = new Dictionary<string, string>
        {
            ["PS_TOKEN_SECRET"] = TestTokens.Secret,
            ["PS_TOKEN_ISSUER"] = "iss",
            ["PS_TOKEN_AUDIENCE"] = "aud",
            ["PS_TOKEN_PUBLIC_KEY"] = "pem",
        };
        var options = new AccessTokenOptions { Issuer = "iss" };
        var used = PlayerTokenAliases.Apply(options, env.GetValueOrDefault);
        Assert.Equal(["PS_TOKEN_SECRET", "PS_TOKEN_PUBLIC_KEY", "PS_TOKEN_ISSUER", "PS_TOKEN_AUDIENCE"], used);
        Assert.Equal(
            (TestTokens.Secret, "pem", "iss", "aud"),
            (options.HmacSecret, options.PublicKeyPem, options.Issuer, options.Audience)
        );
    }

    [Fact]
    public void Deprecated_variable_disagreeing_with_mobz_access_fails_at_start()
    {
        var options = new AccessTokenOptions { HmacSecret = TestTokens.Secret };
        var e = Assert.Throws<InvalidOperationException>(() =>
            PlayerTokenAliases.Apply(options, n =>
                n == "PS_TOKEN_SECRET" ? "another-secret-that-is-long-enough-for-hs256-xyz" : null
            )
        );
        Assert.Contains("MobZ:Access:HmacSecret", e.Message);
    }

    [Fact]
    public void Old_pixel_streaming_token_settings_fail_at_start_naming_the_new_ones()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(
            new ConfigurationBuilder()
                .AddInMemoryCollection(
                    new Dictionary<string, string?> { ["PixelStreaming:Tokens:HmacSecret"] = TestTokens.Secret }
                )
                .Build()
        );
        services.AddPixelStreaming();
        using var sp = services.BuildServiceProvider();
        var e = Assert.Throws<InvalidOperationException>(() => sp.GetRequiredService<PixelStreamingOptions>());
        Assert.Contains("MobZ:Access", e.Message);
    }
}
