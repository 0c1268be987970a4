using MobZ.HlsTap;
using MobZ.Munit.Tap;

namespace Microsoft.Extensions.DependencyInjection;

public static class HlsTapServiceCollectionExtensions
{
    /// <summary>p2m stations of this process's Munit feed the LL-HLS packager (register AddHls too).</summary>
    public static IServiceCollection AddHlsStationTap(this IServiceCollection services)
    {
        services.AddSingleton<HlsStationTapFactory>();
        services.AddSingleton<IStationTapFactory>(sp => sp.GetRequiredService<HlsStationTapFactory>());
        return services;
    }
}
