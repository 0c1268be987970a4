using Microsoft.AspNetCore.Builder;

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
        new(new Uri(BaseUrl.AbsoluteUri.Replace("http://", "ws://", StringComparison.Ordinal).Replace("https://", "wss://", StringComparison.Ordinal)), pathAndQuery.TrimStart('/'));

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
    }
}
