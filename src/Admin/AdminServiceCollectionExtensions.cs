using Microsoft.Extensions.DependencyInjection.Extensions;
using MobZ.Admin;
using MobZ.PixelStreaming;

namespace Microsoft.Extensions.DependencyInjection;

public static class AdminServiceCollectionExtensions
{
    /// <summary>
    /// The admin API handler (<see cref="AdminApiHandler"/>, mount it at <see cref="AdminApiHandler.Prefix"/>). Needs the
    /// rooms (<c>AddMobZRooms</c>) and Pixel Streaming (<c>AddPixelStreaming</c>, whose API key it shares) services.
    /// </summary>
    public static IServiceCollection AddMobZAdmin(this IServiceCollection services)
    {
        services.TryAddSingleton<AdminApiHandler>();
        return services;
    }
}
