using Microsoft.Extensions.DependencyInjection.Extensions;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Rooms.Whip;

// In the DI namespace, as AddX extensions are, so a host needs no using for its one line.
namespace Microsoft.Extensions.DependencyInjection;

public static class WhipServiceCollectionExtensions
{
    /// <summary>
    /// WHIP ingest into p2m rooms (<see cref="WhipHandler"/>) and its local-gateway mount at <see
    /// cref="WhipHandler.Prefix"/>; on AWS the HTTP API routes <c>/whip</c> to the rooms function
    /// (resources/signaling.yml).
    /// Needs the rooms services (<c>AddMobZRooms</c>).
    /// </summary>
    public static IServiceCollection AddWhipIngest(this IServiceCollection services)
    {
        services.TryAddSingleton<WhipHandler>();
        services.AddSingleton(
            new HttpApiRegistration(WhipHandler.Prefix, sp => sp.GetRequiredService<WhipHandler>())
            {
                ApiId = "mobz-whip",
            }
        );
        return services;
    }
}
