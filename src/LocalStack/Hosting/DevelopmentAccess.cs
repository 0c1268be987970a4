using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MobZ.Access;

namespace MobZ.LocalStack.Hosting;

/// <summary>
/// The local stack's development convenience, and nowhere else: with no access-token key configured it makes up a
/// per-process HMAC secret and serves <c>GET /dev/token?room=…&amp;grants=…&amp;userId=…</c>, which mints tokens with
/// it so the demo pages and tests work out of the box. With a key configured (MobZ:Access) the endpoint answers 404 and
/// tokens must come from wherever that key lives — as in production.
/// </summary>
public sealed class DevelopmentAccess
{
    public const string Path = "/dev/token";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    /// <summary>True when this process generated its own key (nothing was configured).</summary>
    public bool IssuesTokens { get; internal set; }
}

public sealed record DevTokenResponse(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("userId")] string UserId,
    [property: JsonPropertyName("room")] string Room,
    [property: JsonPropertyName("grants")] IReadOnlyList<string> Grants,
    [property: JsonPropertyName("expiresAt")] DateTimeOffset ExpiresAt
);

[JsonSerializable(typeof(DevTokenResponse))]
internal sealed partial class DevelopmentAccessJsonContext : JsonSerializerContext;

public static class DevelopmentAccessExtensions
{
    public static IServiceCollection AddDevelopmentAccess(this IServiceCollection services)
    {
        var marker = new DevelopmentAccess();
        services.AddSingleton(marker);
        services.AddMobZAccess();
        // The shared development key: Pixel Streaming's /ps/dev-token signs with the same one
        // (AccessTokenOptions.IsDevelopmentKey).
        services.PostConfigure<AccessTokenOptions>(o => marker.IssuesTokens = o.UseDevelopmentKey());
        return services;
    }

    public static IEndpointRouteBuilder MapDevelopmentAccess(this IEndpointRouteBuilder endpoints)
    {
        // Resolving the options runs the post-configuration above, so the warning below tells the truth at start.
        var access = endpoints.ServiceProvider.GetRequiredService<IOptions<AccessTokenOptions>>().Value;
        var marker = endpoints.ServiceProvider.GetRequiredService<DevelopmentAccess>();
        if (marker.IssuesTokens)
        {
            endpoints
                .ServiceProvider.GetRequiredService<ILoggerFactory>()
                .CreateLogger("MobZ.Access")
                .LogWarning(
                    "Development access: no MobZ:Access key is configured, so this process made one up and anyone who can reach {Path} gets tokens (local stack only)",
                    DevelopmentAccess.Path
                );
        }

        endpoints.MapGet(DevelopmentAccess.Path, (HttpContext context, AccessTokenIssuer issuer, TimeProvider time) =>
        {
            if (!marker.IssuesTokens)
                return Results.NotFound();
            var query = context.Request.Query;
            string room = query["room"].ToString();
            if (room.Length == 0)
                return Results.BadRequest(new { error = "room is required (a room name, or a prefix ending in '*')" });
            var grantList = query["grants"].ToString();
            var grants = AccessGrants.Everything;
            if (grantList.Length > 0 && !AccessGrants.TryParseList(grantList, out grants, out var unknown))
            {
                return Results.BadRequest(
                    new
                    {
                        error = $"unknown grant \"{unknown}\"; grants are join, publish, subscribe, admin, p2m-publish",
                    }
                );
            }

            string userId = query["userId"].ToString() is { Length: > 0 and <= 128 } u
                ? u
                : "user-" + Guid.NewGuid().ToString("N")[..8];
            context.Response.Headers.CacheControl = "no-store";
            var token = issuer.Issue(userId, room, grants, DevelopmentAccess.Lifetime);
            return Results.Json(
                new DevTokenResponse(
                    token,
                    userId,
                    room,
                    AccessGrants.Names(grants),
                    time.GetUtcNow() + DevelopmentAccess.Lifetime
                ),
                DevelopmentAccessJsonContext.Default.DevTokenResponse
            );
        });
        return endpoints;
    }
}
