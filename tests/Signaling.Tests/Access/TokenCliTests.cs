using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using MobZ.Access;
using MobZ.TokenCli;

namespace MobZ.Signaling.Tests.Access;

/// <summary>mobz-token (`make token`): what it prints is a token the servers' validator accepts as asked.</summary>
public sealed class TokenCliTests
{
    private readonly FakeTimeProvider _time = new(TokenMint.Now);

    private (int Exit, string Out, string Err) Run(IDictionary<string, string?> environment, params string[] args)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(environment).Build();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = TokenCommand.Run(args, configuration, _time, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Printed_token_validates_with_the_room_grants_user_and_lifetime_asked_for()
    {
        var (exit, output, _) = Run(
            new Dictionary<string, string?> { [TokenCommand.SecretVariable] = TokenMint.Secret },
            "--room",
            "team-*",
            "--grants",
            "join,publish,admin",
            "--user",
            "ada",
            "--ttl",
            "30m"
        );
        Assert.Equal(0, exit);
        var token = output.Trim();
        Assert.DoesNotContain('\n', token);
        var check = await new AccessTokenValidator(
            new AccessTokenOptions { HmacSecret = TokenMint.Secret },
            time: _time
        ).ValidateAsync(token);
        Assert.Equal(
            new AccessClaims(
                "ada",
                "team-*",
                AccessGrant.Join | AccessGrant.Publish | AccessGrant.Admin,
                TokenMint.Now.AddMinutes(30)
            ),
            check.Claims
        );
    }

    [Fact]
    public async Task Secret_issuer_and_audience_come_from_the_servers_configuration_keys()
    {
        var config = new Dictionary<string, string?>
        {
            ["MobZ:Access:HmacSecret"] = TokenMint.Secret,
            ["MobZ:Access:Issuer"] = "mobz-prod",
            ["MobZ:Access:Audience"] = "rooms",
        };
        var (exit, output, _) = Run(config, "--room", "lobby", "--grants", "subscribe");
        Assert.Equal(0, exit);
        var strict = new AccessTokenValidator(
            new AccessTokenOptions
            {
                HmacSecret = TokenMint.Secret,
                Issuer = "mobz-prod",
                Audience = "rooms",
            },
            time: _time
        );
        var claims = (await strict.ValidateAsync(output.Trim())).Claims!;
        Assert.StartsWith("user-", claims.UserId);
        Assert.Equal(TokenMint.Now.AddHours(1), claims.Expires);
    }

    [Fact]
    public async Task Secret_file_is_read_without_its_trailing_newline()
    {
        var file = Path.Combine(Path.GetTempPath(), $"mobz-secret-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(file, TokenMint.Secret + "\n");
        try
        {
            var (exit, output, _) = Run(
                new Dictionary<string, string?>(),
                "--room",
                "lobby",
                "--grants",
                "join",
                "--secret-file",
                file
            );
            Assert.Equal(0, exit);
            Assert.True(
                (
                    await new AccessTokenValidator(
                        new AccessTokenOptions { HmacSecret = TokenMint.Secret },
                        time: _time
                    ).ValidateAsync(output.Trim())
                ).IsValid
            );
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Without_a_secret_it_says_where_to_put_one_and_prints_no_token()
    {
        var (exit, output, error) = Run(new Dictionary<string, string?>(), "--room", "lobby", "--grants", "join");
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("MOBZ_ACCESS_HMAC_SECRET", error);
        Assert.Contains("--secret-file", error);
    }

    [Theory]
    [InlineData("too short", "at least 32 bytes", "--room", "lobby", "--grants", "join")]
    [InlineData(TokenMint.Secret, "--room is required", "--grants", "join")]
    [InlineData(TokenMint.Secret, "--grants is required", "--room", "lobby")]
    [InlineData(TokenMint.Secret, "unknown grant 'kick'", "--room", "lobby", "--grants", "join,kick")]
    [InlineData(TokenMint.Secret, "--ttl '0s'", "--room", "lobby", "--grants", "join", "--ttl", "0s")]
    [InlineData(TokenMint.Secret, "--ttl 'soon'", "--room", "lobby", "--grants", "join", "--ttl", "soon")]
    [InlineData(TokenMint.Secret, "unknown option '--rooom'", "--rooom", "lobby")]
    public void Bad_usage_is_named(string secret, string message, params string[] args)
    {
        var (exit, output, error) = Run(
            new Dictionary<string, string?> { [TokenCommand.SecretVariable] = secret },
            args
        );
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains(message, error);
    }

    [Fact]
    public void Help_lists_the_options_and_the_secret_variables()
    {
        var (exit, output, _) = Run(new Dictionary<string, string?>(), "--help");
        Assert.Equal(0, exit);
        foreach (
            var expected in new[]
            {
                "--room",
                "--grants",
                "--user",
                "--ttl",
                "--secret-file",
                "MOBZ_ACCESS_HMAC_SECRET",
                "MobZ__Access__HmacSecret",
                "p2m-publish",
            }
        )
        {
            Assert.Contains(expected, output);
        }
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("12h", 43200)]
    [InlineData("7d", 604800)]
    [InlineData("01:30:00", 5400)]
    public void Lifetimes_parse(string text, int seconds)
    {
        Assert.True(TokenCommand.TryParseLifetime(text, out var lifetime));
        Assert.Equal(TimeSpan.FromSeconds(seconds), lifetime);
    }
}
