using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MobZ.Access;

public static class AccessServiceCollectionExtensions
{
    /// <summary>
    /// Access tokens for every capability of the host: options from "MobZ:Access", one validator, one issuer.
    /// With no key configured the validator refuses everything and says so once, at start. Safe to call from every
    /// capability; each <paramref name="configure"/> runs after the configuration is bound, in call order.
    /// </summary>
    public static IServiceCollection AddMobZAccess(
        this IServiceCollection services,
        Action<AccessTokenOptions>? configure = null
    )
    {
        // Every capability calls this; configuration is bound once, before any caller's own settings, so a
        // second call cannot overwrite what a first one set.
        if (!services.Any(d => d.ServiceType == typeof(AccessTokenValidator)))
        {
            services
                .AddOptions<AccessTokenOptions>()
                .Configure<IServiceProvider>(
                    (o, sp) => sp.GetService<IConfiguration>()?.GetSection(AccessTokenOptions.SectionName).Bind(o)
                );
        }

        if (configure is not null)
            services.Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AccessTokenOptions>>().Value;
            var logger = sp.GetService<ILoggerFactory>()?.CreateLogger("MobZ.Access");
            if (!options.HasKeys)
            {
                logger?.LogError(
                    "No access-token key is configured (MobZ:Access:HmacSecret, PublicKeyPem, PublicKeyFile or JwksUrl): every room, player and playback token is refused"
                );
            }

            return new AccessTokenValidator(options, new HttpClient(), sp.GetRequiredService<TimeProvider>(), logger);
        });
        services.TryAddSingleton(sp => new AccessTokenIssuer(
            sp.GetRequiredService<IOptions<AccessTokenOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()
        ));
        return services;
    }
}
