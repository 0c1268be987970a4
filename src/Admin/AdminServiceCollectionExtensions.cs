using Microsoft.Extensions.DependencyInjection.Extensions;
using MobZ.Admin;
using MobZ.PixelStreaming;
using MobZ.Signaling.Abstractions;

namespace Microsoft.Extensions.DependencyInjection;

public static class AdminServiceCollectionExtensions
{
    /// <summary>
    /// The admin API handler (<see cref="AdminApiHandler"/>) and its local-gateway mount at <see
    /// cref="AdminApiHandler.Prefix"/> (the Lambda host routes to it by its own table). Needs the rooms
    /// (<c>AddMobZRooms</c>) and Pixel Streaming (<c>AddPixelStreaming</c>, whose API key it shares) services.
    /// </summary>
    public static IServiceCollection AddMobZAdmin(this IServiceCollection services)
    {
        services.TryAddSingleton<AdminApiHandler>();
        services.AddSingleton(
            new HttpApiRegistration(AdminApiHandler.Prefix, sp => sp.GetRequiredService<AdminApiHandler>())
        );
        return services;
    }
}
