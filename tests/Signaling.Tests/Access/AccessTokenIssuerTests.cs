using Microsoft.Extensions.Time.Testing;
using MobZ.Access;

namespace MobZ.Signaling.Tests.Access;

public sealed class AccessTokenIssuerTests
{
    private readonly FakeTimeProvider _time = new(TokenMint.Now);

    [Fact]
    public async Task Issued_token_validates_with_the_same_options_and_carries_what_was_asked()
    {
        var options = new AccessTokenOptions
        {
            HmacSecret = TokenMint.Secret,
            Issuer = "mobz-test",
            Audience = "rooms",
        };
        var token = new AccessTokenIssuer(options, _time).Issue(
            "bob",
            "team-*",
            AccessGrant.Join | AccessGrant.P2mPublish,
            TimeSpan.FromMinutes(5)
        );
        var check = await new AccessTokenValidator(options, time: _time).ValidateAsync(token);
        Assert.Equal(
            new AccessClaims(
                "bob",
                "team-*",
                AccessGrant.Join | AccessGrant.P2mPublish,
                TokenMint.Now + TimeSpan.FromMinutes(5)
            ),
            check.Claims
        );

        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(
            "token expired",
            (await new AccessTokenValidator(options, time: _time).ValidateAsync(token)).Failure
        );
    }

    [Fact]
    public async Task Issued_token_is_refused_by_another_audience()
    {
        var token = new AccessTokenIssuer(
            new AccessTokenOptions { HmacSecret = TokenMint.Secret, Audience = "rooms" },
            _time
        ).Issue("bob", "lobby", AccessGrant.Join, TimeSpan.FromMinutes(5));
        var check = await new AccessTokenValidator(
            new AccessTokenOptions { HmacSecret = TokenMint.Secret, Audience = "hls" },
            time: _time
        ).ValidateAsync(token);
        Assert.Equal("wrong audience", check.Failure);
    }

    [Fact]
    public void Without_a_secret_the_issuer_refuses_to_mint()
    {
        var issuer = new AccessTokenIssuer(new AccessTokenOptions { PublicKeyPem = "unused" }, _time);
        Assert.False(issuer.CanIssue);
        var e = Assert.Throws<InvalidOperationException>(() =>
            issuer.Issue("bob", "lobby", AccessGrant.Join, TimeSpan.FromMinutes(1))
        );
        Assert.Contains("MobZ:Access:HmacSecret", e.Message);
    }
}
