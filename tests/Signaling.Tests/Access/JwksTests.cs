using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using MobZ.Access;

namespace MobZ.Signaling.Tests.Access;

/// <summary>
/// JWKS keys served by a real loopback HTTP server: fetched once, refetched for a new key id after rotation,
/// and never more often than the minimum refresh interval however many unknown key ids arrive.
/// </summary>
public sealed class JwksTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(TokenMint.Now);
    private readonly ECDsa _first = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly RSA _second = RSA.Create(2048);
    private WebApplication _server = null!;
    private volatile string _jwks = "";
    private int _fetches;
    private string _url = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.MapGet("/.well-known/jwks.json", () =>
        {
            Interlocked.Increment(ref _fetches);
            return Results.Text(_jwks, "application/json");
        });
        await _server.StartAsync();
        _url = _server.Urls.Single() + "/.well-known/jwks.json";
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _first.Dispose();
        _second.Dispose();
    }

    private static string Jwk(ECDsa key, string kid)
    {
        var p = key.ExportParameters(false);
        return $$"""{"kty":"EC","crv":"P-256","use":"sig","alg":"ES256","kid":"{{kid}}","x":"{{Base64UrlEncoder.Encode(p.Q.X)}}","y":"{{Base64UrlEncoder.Encode(p.Q.Y)}}"}""";
    }

    private static string Jwk(RSA key, string kid)
    {
        var p = key.ExportParameters(false);
        return $$"""{"kty":"RSA","use":"sig","alg":"RS256","kid":"{{kid}}","n":"{{Base64UrlEncoder.Encode(p.Modulus)}}","e":"{{Base64UrlEncoder.Encode(p.Exponent)}}"}""";
    }

    private static string Set(params string[] keys) => $$"""{"keys":[{{string.Join(",", keys)}}]}""";

    private static string Es256(ECDsa key, string kid) =>
        TokenMint.Create(
            new SigningCredentials(new ECDsaSecurityKey(key) { KeyId = kid }, SecurityAlgorithms.EcdsaSha256),
            TokenMint.Claims(),
            TimeSpan.FromHours(3)
        );

    private static string Rs256(RSA key, string kid) =>
        TokenMint.Create(
            new SigningCredentials(new RsaSecurityKey(key) { KeyId = kid }, SecurityAlgorithms.RsaSha256),
            TokenMint.Claims(),
            TimeSpan.FromHours(3)
        );

    private AccessTokenValidator Validator() =>
        new(
            new AccessTokenOptions
            {
                JwksUrl = _url,
                JwksMinRefreshInterval = TimeSpan.FromMinutes(1),
                JwksMaxAge = TimeSpan.FromHours(1),
            },
            new HttpClient(),
            _time
        );

    [Fact]
    public async Task Keys_are_fetched_once_and_reused()
    {
        _jwks = Set(Jwk(_first, "k1"));
        var validator = Validator();
        for (var i = 0; i < 5; i++)
            Assert.Null((await validator.ValidateAsync(Es256(_first, "k1"))).Failure);
        Assert.Equal(1, _fetches);
    }

    [Fact]
    public async Task Rotated_key_id_triggers_one_refetch()
    {
        _jwks = Set(Jwk(_first, "k1"));
        var validator = Validator();
        Assert.True((await validator.ValidateAsync(Es256(_first, "k1"))).IsValid);

        _jwks = Set(Jwk(_first, "k1"), Jwk(_second, "k2"));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null((await validator.ValidateAsync(Rs256(_second, "k2"))).Failure);
        Assert.Equal(2, _fetches);
        Assert.True((await validator.ValidateAsync(Rs256(_second, "k2"))).IsValid);
        Assert.True((await validator.ValidateAsync(Es256(_first, "k1"))).IsValid);
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task Unknown_key_ids_refetch_at_most_once_per_min_refresh_interval()
    {
        _jwks = Set(Jwk(_first, "k1"));
        var validator = Validator();
        Assert.True((await validator.ValidateAsync(Es256(_first, "k1"))).IsValid);
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        _time.Advance(TimeSpan.FromMinutes(1));
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("bad signature", (await validator.ValidateAsync(Es256(stranger, $"made-up-{i}"))).Failure);
            _time.Advance(TimeSpan.FromSeconds(2));
        }
        // One refetch for the first made-up id; the next 19 came within the interval (40 s in all).
        Assert.Equal(2, _fetches);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.False((await validator.ValidateAsync(Es256(stranger, "made-up-late"))).IsValid);
        Assert.False((await validator.ValidateAsync(Es256(stranger, "made-up-later"))).IsValid);
        Assert.Equal(3, _fetches);
        // The real key still works throughout.
        Assert.True((await validator.ValidateAsync(Es256(_first, "k1"))).IsValid);
        Assert.Equal(3, _fetches);
    }

    [Fact]
    public async Task Keys_older_than_the_max_age_are_fetched_again()
    {
        _jwks = Set(Jwk(_first, "k1"));
        var validator = Validator();
        Assert.True((await validator.ValidateAsync(Es256(_first, "k1"))).IsValid);
        _time.Advance(TimeSpan.FromMinutes(61));
        Assert.True((await validator.ValidateAsync(Es256(_first, "k1"))).IsValid);
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task Unreachable_jwks_refuses_tokens_and_keeps_the_last_keys()
    {
        _jwks = Set(Jwk(_first, "k1"));
        var validator = Validator();
        Assert.True((await validator.ValidateAsync(Es256(_first, "k1"))).IsValid);
        _jwks = "not json";
        _time.Advance(TimeSpan.FromMinutes(61));
        // The refetch fails; the keys held stay in use.
        Assert.True((await validator.ValidateAsync(Es256(_first, "k1"))).IsValid);
        Assert.Equal(2, _fetches);

        var cold = new AccessTokenValidator(new AccessTokenOptions { JwksUrl = _url }, new HttpClient(), _time);
        Assert.Equal("bad signature", (await cold.ValidateAsync(Es256(_first, "k1"))).Failure);
    }
}
