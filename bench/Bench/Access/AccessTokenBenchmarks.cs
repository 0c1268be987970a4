using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using MobZ.Access;

namespace MobZ.Bench.Access;

/// <summary>
/// What room access control costs: one token check per <c>$connect</c> with a constructed validator (keys parsed
/// once, as the host holds them), and afterwards, per message, only a check of the claims already held.
/// </summary>
[MemoryDiagnoser]
public class AccessTokenBenchmarks
{
    private const string Secret = "bench-secret-that-is-long-enough-for-hs256-0123456789";
    private readonly ECDsa _ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private AccessTokenValidator _hs256 = null!;
    private AccessTokenValidator _es256 = null!;
    private string _hs256Token = "";
    private string _es256Token = "";
    private AccessClaims _claims = null!;
    private string _room = "";

    [GlobalSetup]
    public void Setup()
    {
        _hs256 = new AccessTokenValidator(
            new AccessTokenOptions
            {
                HmacSecret = Secret,
                Issuer = "bench",
                Audience = "rooms",
            }
        );
        _es256 = new AccessTokenValidator(
            new AccessTokenOptions
            {
                PublicKeyPem = _ec.ExportSubjectPublicKeyInfoPem(),
                Issuer = "bench",
                Audience = "rooms",
            }
        );
        _hs256Token = Token(
            new SigningCredentials(
                new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret)),
                SecurityAlgorithms.HmacSha256
            )
        );
        _es256Token = Token(new SigningCredentials(new ECDsaSecurityKey(_ec), SecurityAlgorithms.EcdsaSha256));
        _claims = _hs256.ValidateAsync(_hs256Token).GetAwaiter().GetResult().Claims
            ?? throw new InvalidOperationException("the benchmark's own token was refused");
        if (!_es256.ValidateAsync(_es256Token).GetAwaiter().GetResult().IsValid)
            throw new InvalidOperationException("ES256 token refused");
        _room = "team-42";
    }

    [GlobalCleanup]
    public void Cleanup() => _ec.Dispose();

    /// <summary>A typical room token: a user, a room prefix, three grants, a day to live.</summary>
    private static string Token(SigningCredentials credentials) =>
        new JsonWebTokenHandler().CreateToken(
            new SecurityTokenDescriptor
            {
                Claims = new Dictionary<string, object>
                {
                    ["sub"] = "user-4711",
                    ["room"] = "team-*",
                    ["grants"] = new[] { "join", "publish", "subscribe" },
                },
                Issuer = "bench",
                Audience = "rooms",
                Expires = DateTime.UtcNow.AddDays(1),
                SigningCredentials = credentials,
            }
        );

    [Benchmark(Description = "$connect: validate HS256 token")]
    public async Task<AccessCheck> ValidateHs256() => await _hs256.ValidateAsync(_hs256Token);

    [Benchmark(Description = "$connect: validate ES256 token")]
    public async Task<AccessCheck> ValidateEs256() => await _es256.ValidateAsync(_es256Token);

    [Benchmark(Description = "per message: room covered + grant held")]
    public bool GrantCheck() => _claims.Covers(_room) && _claims.Has(AccessGrant.Publish);

    [Benchmark(Description = "per message: grant flags only")]
    public bool GrantFlags() => _claims.Has(AccessGrant.Publish | AccessGrant.Subscribe);
}
