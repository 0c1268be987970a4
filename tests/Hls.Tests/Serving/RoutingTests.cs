using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.State;

namespace MobZ.Hls.Tests.Serving;

public sealed class RoutingTests
{
    [Fact]
    public async Task Map_HLS_leaves_other_files_under_its_prefix_to_static_files()
    {
        // The demo site keeps its viewer page at /hls/index.html, beside the /hls/{stream}/... routes.
        string webRoot = Directory.CreateTempSubdirectory("mobz-hls-www-").FullName;
        Directory.CreateDirectory(Path.Combine(webRoot, "hls"));
        await File.WriteAllTextAsync(Path.Combine(webRoot, "hls", "index.html"), "<p>viewer</p>");
        try
        {
            await using IStateBackend backend = await StateBackend.CreateAsync(null, NullLoggerFactory.Instance);
            WebApplicationBuilder builder = WebApplication.CreateBuilder(
                new WebApplicationOptions { WebRootPath = webRoot }
            );
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(backend);
            builder.Services.AddHls(serving: o => o.RequirePlaybackToken = false);
            await using WebApplication app = builder.Build();
            app.UseStaticFiles();
            app.MapHls();
            await app.StartAsync();
            using var client = new HttpClient
            {
                BaseAddress = new Uri(
                    app.Services.GetRequiredService<IServer>()
                        .Features.Get<IServerAddressesFeature>()!
                        .Addresses.First()
                ),
            };

            Assert.Equal("<p>viewer</p>", await client.GetStringAsync("/hls/index.html"));
            using HttpResponseMessage missing = await client.GetAsync("/hls/nobody/index.m3u8");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            using HttpResponseMessage preflight = await client.SendAsync(
                new HttpRequestMessage(HttpMethod.Options, "/hls/nobody/media.m3u8")
            );
            Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
            await app.StopAsync();
        }
        finally
        {
            Directory.Delete(webRoot, recursive: true);
        }
    }
}
