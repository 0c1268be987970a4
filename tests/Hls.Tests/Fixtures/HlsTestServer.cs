using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.State;

namespace MobZ.Hls.Tests.Fixtures;

/// <summary>
/// A real Kestrel on 127.0.0.1 with AddHls/MapHls over a given backend, and a client for it. Playback is open
/// (no token) unless <c>requirePlaybackToken</c> turns <see cref="HlsServingOptions.RequirePlaybackToken"/> on, with
/// the access keys that <c>services</c> registers.
/// </summary>
public sealed class HlsTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HlsTestServer(WebApplication app, HttpClient client)
    {
        _app = app;
        Client = client;
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<HlsTestServer> StartAsync(
        IStateBackend backend,
        Action<HlsOptions> configure,
        Action<IServiceCollection>? services = null,
        bool requirePlaybackToken = false
    )
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(backend);
        services?.Invoke(builder.Services);
        builder.Services.AddHls(configure, serving: o => o.RequirePlaybackToken = requirePlaybackToken);
        WebApplication app = builder.Build();
        app.MapHls();
        // The demo viewer page and its hls.js, from the LocalStack site.
        string viewer = Path.Combine(RepositoryRoot(), "src", "LocalStack", "wwwroot", "hls");
        app.MapGet("/viewer/{file}", (string file) =>
            file is "index.html" or "viewer.js" or "hls.light.min.js"
                ? Microsoft.AspNetCore.Http.Results.File(
                    Path.Combine(viewer, file),
                    file.EndsWith(".html") ? "text/html" : "text/javascript"
                )
                : Microsoft.AspNetCore.Http.Results.NotFound()
        );
        await app.StartAsync();
        string address = app
            .Services.GetRequiredService<IServer>()
            .Features.Get<IServerAddressesFeature>()!
            .Addresses.First();
        var client = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = new Uri(address),
            Timeout = TimeSpan.FromSeconds(30),
        };
        return new HlsTestServer(app, client);
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MobZ.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("MobZ.sln not found above the test binaries");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
