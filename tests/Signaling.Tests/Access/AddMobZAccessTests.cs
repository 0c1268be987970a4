using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MobZ.Access;

namespace MobZ.Signaling.Tests.Access;

/// <summary>Every capability calls AddMobZAccess; the host ends up with one configuration, bound once.</summary>
public sealed class AddMobZAccessTests
{
    [Fact]
    public void A_second_call_does_not_rebind_configuration_over_a_first_callers_settings()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(
            new ConfigurationBuilder()
                .AddInMemoryCollection(
                    new Dictionary<string, string?>
                    {
                        ["MobZ:Access:HmacSecret"] = TokenMint.Secret,
                        ["MobZ:Access:Audience"] = "from-configuration",
                    }
                )
                .Build()
        );
        services.AddMobZAccess(o => o.Audience = "from-code");
        services.AddMobZAccess();
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<AccessTokenOptions>>().Value;
        Assert.Equal("from-code", options.Audience);
        Assert.Equal(TokenMint.Secret, options.HmacSecret);
        Assert.Same(options, provider.GetRequiredService<AccessTokenValidator>().Options);
    }
}
