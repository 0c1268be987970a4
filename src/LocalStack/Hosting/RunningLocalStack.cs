using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MobZ.Access;

namespace MobZ.LocalStack.Hosting;

/// <summary>A started local stack: its base URL and services. Dispose to stop it.</summary>
public sealed class RunningLocalStack(WebApplication app, Uri baseUrl) : IAsyncDisposable
{
    public WebApplication App { get; } = app;
    public IServiceProvider Services => App.Services;

    /// <summary>E.g. http://127.0.0.1:8080/ (always ends with '/').</summary>
    public Uri BaseUrl { get; } = baseUrl;

    /// <summary>ws:// URL of a mounted WebSocket API path, e.g. WebSocketUrl("/ws?room=1").</summary>
    public Uri WebSocketUrl(string pathAndQuery) =>
        new(
            new Uri(
                BaseUrl
                    .AbsoluteUri.Replace("http://", "ws://", StringComparison.Ordinal)
                    .Replace("https://", "wss://", StringComparison.Ordinal)
            ),
            pathAndQuery.TrimStart('/')
        );

    /// <summary>An access token signed with this stack's key (its development key unless MobZ:Access configures
    /// one).</summary>
    public string AccessToken(string room = "*", AccessGrant grants = AccessGrants.Everything, string? userId = null) =>
        Services
            .GetRequiredService<AccessTokenIssuer>()
            .Issue(userId ?? "user-" + Guid.NewGuid().ToString("N")[..8], room, grants, DevelopmentAccess.Lifetime);

    /// <summary>ws:// URL of the rooms API (/ws) with an access token in the query, as a browser opens it.</summary>
    public Uri RoomsUrl(string room = "*", AccessGrant grants = AccessGrants.Everything, string? userId = null) =>
        WebSocketUrl("/ws?access_token=" + Uri.EscapeDataString(AccessToken(room, grants, userId)));

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
    }
}
