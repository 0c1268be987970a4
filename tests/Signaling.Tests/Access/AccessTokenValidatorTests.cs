using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using MobZ.Access;

namespace MobZ.Signaling.Tests.Access;

public sealed class AccessTokenValidatorTests
{
    private readonly FakeTimeProvider _time = new(TokenMint.Now);

    private AccessTokenValidator Validator(Action<AccessTokenOptions>? configure = null)
    {
        var options = new AccessTokenOptions { HmacSecret = TokenMint.Secret };
        configure?.Invoke(options);
        return new AccessTokenValidator(options, time: _time);
    }

    private static async Task<string?> FailureOf(AccessTokenValidator validator, string token) =>
        (await validator.ValidateAsync(token)).Failure;

    [Fact]
    public async Task Valid_hs256_token_yields_user_room_grants_and_expiry()
    {
        var check = await Validator()
            .ValidateAsync(TokenMint.Hs256(TokenMint.Claims("ada", "team-a", new[] { "join", "publish" })));
        Assert.Null(check.Failure);
        Assert.Equal(
            new AccessClaims(
                "ada",
                "team-a",
                AccessGrant.Join | AccessGrant.Publish,
                TokenMint.Now + TimeSpan.FromMinutes(10)
            ),
            check.Claims
        );
    }

    [Fact]
    public async Task Unsigned_alg_none_token_is_refused()
    {
        var token = TokenMint.Unsigned(TokenMint.Claims());
        Assert.EndsWith(".", token);
        var check = await Validator().ValidateAsync(token);
        Assert.False(check.IsValid);
    }

    [Fact]
    public async Task Token_signed_with_another_secret_is_a_bad_signature() =>
        Assert.Equal(
            "bad signature",
            await FailureOf(Validator(), TokenMint.Hs256(secret: "another-secret-that-is-long-enough-for-hs256-xyz"))
        );

    [Fact]
    public async Task Tampered_payload_is_a_bad_signature()
    {
        var parts = TokenMint.Hs256(TokenMint.Claims(room: "team-a")).Split('.');
        var forged = TokenMint.Hs256(TokenMint.Claims(room: "team-b")).Split('.')[1];
        Assert.Equal("bad signature", await FailureOf(Validator(), $"{parts[0]}.{forged}.{parts[2]}"));
    }

    [Fact]
    public async Task Expiry_allows_the_clock_skew_and_no_more()
    {
        var validator = Validator(o => o.ClockSkew = TimeSpan.FromSeconds(30));
        Assert.True((await validator.ValidateAsync(TokenMint.Hs256(expiresIn: TimeSpan.FromSeconds(-20)))).IsValid);
        Assert.Equal(
            "token expired",
            await FailureOf(validator, TokenMint.Hs256(expiresIn: TimeSpan.FromSeconds(-40)))
        );
        // The same token, judged by the validator's clock rather than the machine's.
        var token = TokenMint.Hs256(expiresIn: TimeSpan.FromMinutes(1));
        Assert.True((await validator.ValidateAsync(token)).IsValid);
        _time.Advance(TimeSpan.FromSeconds(60 + 31));
        Assert.Equal("token expired", await FailureOf(validator, token));
    }

    [Fact]
    public async Task Not_before_in_the_future_is_refused_beyond_the_skew()
    {
        var validator = Validator();
        Assert.Equal(
            "token not yet valid",
            await FailureOf(validator, TokenMint.Hs256(notBeforeIn: TimeSpan.FromMinutes(2)))
        );
        Assert.True((await validator.ValidateAsync(TokenMint.Hs256(notBeforeIn: TimeSpan.FromSeconds(20)))).IsValid);
    }

    [Fact]
    public async Task Token_without_exp_is_refused()
    {
        var token = TokenMint.Create(TokenMint.Hmac(), TokenMint.Claims(), expiresIn: null);
        Assert.Equal("token has no expiry", await FailureOf(Validator(), token));
    }

    [Fact]
    public async Task Issuer_and_audience_are_checked_when_configured()
    {
        var validator = Validator(o =>
        {
            o.Issuer = "https://auth.example.test/";
            o.Audience = "mobz";
        });
        Assert.True(
            (
                await validator.ValidateAsync(TokenMint.Hs256(issuer: "https://auth.example.test/", audience: "mobz"))
            ).IsValid
        );
        Assert.Equal(
            "wrong issuer",
            await FailureOf(validator, TokenMint.Hs256(issuer: "https://evil.example.test/", audience: "mobz"))
        );
        Assert.Equal(
            "wrong audience",
            await FailureOf(validator, TokenMint.Hs256(issuer: "https://auth.example.test/", audience: "someone-else"))
        );
        Assert.Equal("wrong issuer", await FailureOf(validator, TokenMint.Hs256(audience: "mobz")));
    }

    [Fact]
    public async Task Room_tokens_need_a_user_and_a_room()
    {
        Assert.Equal(
            "token has no room claim",
            await FailureOf(Validator(), TokenMint.Hs256(TokenMint.Claims(room: null)))
        );
        Assert.Equal(
            "token has no sub claim",
            await FailureOf(Validator(), TokenMint.Hs256(TokenMint.Claims(sub: null)))
        );
    }

    [Fact]
    public async Task User_id_comes_from_the_configured_claim()
    {
        var claims = TokenMint.Claims(sub: null);
        claims["uid"] = "grace";
        Assert.Equal(
            "grace",
            (await Validator(o => o.UserIdClaim = "uid").ValidateAsync(TokenMint.Hs256(claims))).Claims!.UserId
        );
    }

    [Fact]
    public async Task Unknown_grant_name_refuses_the_token()
    {
        Assert.Equal(
            "token names an unknown grant \"superuser\"",
            await FailureOf(Validator(), TokenMint.Hs256(TokenMint.Claims(grants: new[] { "join", "superuser" })))
        );
        Assert.Equal(
            "token names an unknown grant \"Join\"",
            await FailureOf(Validator(), TokenMint.Hs256(TokenMint.Claims(grants: "Join")))
        );
    }

    [Theory]
    [InlineData("array", AccessGrant.Join | AccessGrant.Admin | AccessGrant.P2mPublish)]
    [InlineData("join admin p2m-publish", AccessGrant.Join | AccessGrant.Admin | AccessGrant.P2mPublish)]
    [InlineData("join,admin,p2m-publish", AccessGrant.Join | AccessGrant.Admin | AccessGrant.P2mPublish)]
    [InlineData("subscribe", AccessGrant.Subscribe)]
    [InlineData("", AccessGrant.None)]
    public async Task Grants_are_read_from_an_array_or_a_string(string grants, AccessGrant expected)
    {
        object claim = grants == "array" ? new[] { "join", "admin", "p2m-publish" } : grants;
        var check = await Validator().ValidateAsync(TokenMint.Hs256(TokenMint.Claims(grants: claim)));
        Assert.Null(check.Failure);
        Assert.Equal(expected, check.Claims!.Grants);
    }

    [Fact]
    public async Task Token_without_grants_grants_nothing()
    {
        var claims = TokenMint.Claims();
        claims.Remove("grants");
        var check = await Validator().ValidateAsync(TokenMint.Hs256(claims));
        Assert.Equal(AccessGrant.None, check.Claims!.Grants);
        Assert.False(check.Claims.Has(AccessGrant.Join));
    }

    [Fact]
    public async Task Room_prefix_covers_rooms_starting_with_it_only()
    {
        var claims = (await Validator().ValidateAsync(TokenMint.Hs256(TokenMint.Claims(room: "team-*")))).Claims!;
        Assert.True(claims.IsRoomPrefix);
        Assert.True(claims.Covers("team-a"));
        Assert.True(claims.Covers("team-42"));
        Assert.False(claims.Covers("teamb"));
        Assert.False(claims.Covers("team"));
        Assert.False(claims.Covers("other-team-a"));

        var exact = (await Validator().ValidateAsync(TokenMint.Hs256(TokenMint.Claims(room: "team-a")))).Claims!;
        Assert.True(exact.Covers("team-a"));
        Assert.False(exact.Covers("team-ab"));
        Assert.False(exact.Covers("Team-a"));
    }

    [Fact]
    public async Task Has_requires_every_named_grant()
    {
        var claims = (
            await Validator().ValidateAsync(TokenMint.Hs256(TokenMint.Claims(grants: new[] { "join", "subscribe" })))
        ).Claims!;
        Assert.True(claims.Has(AccessGrant.Join));
        Assert.True(claims.Has(AccessGrant.Join | AccessGrant.Subscribe));
        Assert.False(claims.Has(AccessGrant.Join | AccessGrant.Publish));
        Assert.False(claims.Has(AccessGrant.Admin));
    }

    [Fact]
    public async Task Without_a_key_every_token_is_refused_saying_why()
    {
        var validator = new AccessTokenValidator(new AccessTokenOptions(), time: _time);
        Assert.False(validator.HasKeys);
        Assert.Equal("no access-token key is configured on the server", await FailureOf(validator, TokenMint.Hs256()));
        Assert.Equal(
            "no access-token key is configured on the server",
            await FailureOf(validator, TokenMint.Unsigned(TokenMint.Claims()))
        );
    }

    [Theory]
    [InlineData(null, "missing token")]
    [InlineData("", "missing token")]
    [InlineData("not.a.jwt", "malformed token")]
    [InlineData("garbage", "malformed token")]
    public async Task Missing_or_malformed_tokens_are_named(string? token, string failure) =>
        Assert.Equal(failure, (await Validator().ValidateAsync(token)).Failure);

    [Fact]
    public async Task Oversized_token_is_refused_before_parsing()
    {
        var claims = TokenMint.Claims();
        claims["pad"] = new string('x', AccessTokenValidator.MaxTokenLength);
        Assert.Equal("token too long", await FailureOf(Validator(), TokenMint.Hs256(claims)));
    }

    [Fact]
    public void Hmac_secret_shorter_than_32_bytes_fails_at_construction()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new AccessTokenValidator(new AccessTokenOptions { HmacSecret = "short" })
        );
        Assert.Contains("32 bytes", e.Message);
    }

    [Fact]
    public async Task Rs256_token_verifies_with_a_pem_public_key_and_not_as_an_hmac_secret()
    {
        using var rsa = RSA.Create(2048);
        using var other = RSA.Create(2048);
        var pem = rsa.ExportSubjectPublicKeyInfoPem();
        var validator = new AccessTokenValidator(new AccessTokenOptions { PublicKeyPem = pem }, time: _time);
        var rs256 = new SigningCredentials(new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256);
        Assert.Equal(
            "ada",
            (await validator.ValidateAsync(TokenMint.Create(rs256, TokenMint.Claims(), TimeSpan.FromMinutes(5))))
                .Claims
                ?.UserId
        );
        Assert.Equal(
            "bad signature",
            await FailureOf(
                validator,
                TokenMint.Create(
                    new SigningCredentials(new RsaSecurityKey(other), SecurityAlgorithms.RsaSha256),
                    TokenMint.Claims(),
                    TimeSpan.FromMinutes(5)
                )
            )
        );
        // Algorithm confusion: the public key's PEM text used as an HS256 secret must not verify.
        Assert.False((await validator.ValidateAsync(TokenMint.Hs256(secret: pem))).IsValid);
    }

    [Fact]
    public async Task Es256_token_verifies_with_a_public_key_file()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var file = Path.Combine(Path.GetTempPath(), $"mobz-access-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(file, ec.ExportSubjectPublicKeyInfoPem());
        try
        {
            var validator = new AccessTokenValidator(new AccessTokenOptions { PublicKeyFile = file }, time: _time);
            var es256 = new SigningCredentials(new ECDsaSecurityKey(ec), SecurityAlgorithms.EcdsaSha256);
            var check = await validator.ValidateAsync(
                TokenMint.Create(es256, TokenMint.Claims(room: "lobby"), TimeSpan.FromMinutes(5))
            );
            Assert.Equal("lobby", check.Claims?.Room);
            using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            Assert.Equal(
                "bad signature",
                await FailureOf(
                    validator,
                    TokenMint.Create(
                        new SigningCredentials(new ECDsaSecurityKey(other), SecurityAlgorithms.EcdsaSha256),
                        TokenMint.Claims(),
                        TimeSpan.FromMinutes(5)
                    )
                )
            );
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Rs256_from_a_key_file_and_es256_from_pem_text()
    {
        using var rsa = RSA.Create(2048);
        var file = Path.Combine(Path.GetTempPath(), $"mobz-access-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(file, rsa.ExportSubjectPublicKeyInfoPem());
        try
        {
            var fromFile = new AccessTokenValidator(new AccessTokenOptions { PublicKeyFile = file }, time: _time);
            Assert.True(
                (
                    await fromFile.ValidateAsync(
                        TokenMint.Create(
                            new SigningCredentials(new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256),
                            TokenMint.Claims(),
                            TimeSpan.FromMinutes(5)
                        )
                    )
                ).IsValid
            );
        }
        finally
        {
            File.Delete(file);
        }
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var fromPem = new AccessTokenValidator(
            new AccessTokenOptions { PublicKeyPem = ec.ExportSubjectPublicKeyInfoPem() },
            time: _time
        );
        Assert.True(
            (
                await fromPem.ValidateAsync(
                    TokenMint.Create(
                        new SigningCredentials(new ECDsaSecurityKey(ec), SecurityAlgorithms.EcdsaSha256),
                        TokenMint.Claims(),
                        TimeSpan.FromMinutes(5)
                    )
                )
            ).IsValid
        );
    }

    [Fact]
    public async Task Algorithms_outside_hs256_rs256_es256_are_refused()
    {
        // HS512 wants a 64-byte key; the validator holds the same one, so the algorithm alone refuses the token.
        var secret = TokenMint.Secret + TokenMint.Secret;
        var validator = Validator(o => o.HmacSecret = secret);
        var hs512 = new SigningCredentials(TokenMint.Hmac(secret).Key, SecurityAlgorithms.HmacSha512);
        Assert.False(
            (
                await validator.ValidateAsync(TokenMint.Create(hs512, TokenMint.Claims(), TimeSpan.FromMinutes(5)))
            ).IsValid
        );
        Assert.True(
            (
                await validator.ValidateAsync(
                    TokenMint.Create(TokenMint.Hmac(secret), TokenMint.Claims(), TimeSpan.FromMinutes(5))
                )
            ).IsValid
        );
    }

    [Fact]
    public async Task Player_requirement_needs_no_room_and_reads_userId_when_sub_is_absent()
    {
        var epicStyle = TokenMint.Hs256(new Dictionary<string, object?> { ["userId"] = "epic-player" });
        Assert.Equal("token has no sub claim", await FailureOf(Validator(), epicStyle));
        var check = await Validator().ValidateAsync(epicStyle, AccessRequirement.Player);
        Assert.Equal("epic-player", check.Claims?.UserId);
        Assert.Equal("", check.Claims!.Room);
        Assert.False(check.Claims.Covers(""));
        Assert.False(check.Claims.Covers("ps"));
        Assert.Equal(AccessGrant.None, check.Claims.Grants);

        var both = TokenMint.Hs256(new Dictionary<string, object?> { ["sub"] = "standard", ["userId"] = "legacy" });
        Assert.Equal("standard", (await Validator().ValidateAsync(both, AccessRequirement.Player)).Claims?.UserId);
        Assert.Equal(
            "token has no sub or userId claim",
            (
                await Validator()
                    .ValidateAsync(
                        TokenMint.Hs256(new Dictionary<string, object?> { ["name"] = "x" }),
                        AccessRequirement.Player
                    )
            ).Failure
        );
    }

    [Fact]
    public async Task Development_key_is_generated_only_when_no_key_is_configured()
    {
        var empty = new AccessTokenOptions();
        Assert.True(empty.UseDevelopmentKey());
        Assert.True(empty.IsDevelopmentKey);
        var token = new AccessTokenIssuer(empty, _time).Issue(
            "dev",
            "lobby",
            AccessGrant.Join,
            TimeSpan.FromMinutes(1)
        );
        Assert.True((await new AccessTokenValidator(empty, time: _time).ValidateAsync(token)).IsValid);
        Assert.False((await Validator().ValidateAsync(token)).IsValid);

        var configured = new AccessTokenOptions { PublicKeyPem = "-----BEGIN PUBLIC KEY-----" };
        Assert.False(configured.UseDevelopmentKey());
        Assert.False(configured.IsDevelopmentKey);
        Assert.Null(configured.HmacSecret);
    }
}
