using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MobZ.Hls;

public static class HlsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves LL-HLS under <paramref name="prefix"/>: <c>{prefix}/{stream}/index.m3u8</c> (multivariant),
    /// <c>{prefix}/{stream}/media.m3u8</c> (media, with blocking reload and delta updates) and the media
    /// files the playlist names. Needs <see cref="HlsServiceCollectionExtensions.AddHls"/>.
    /// </summary>
    public static RouteGroupBuilder MapHls(this IEndpointRouteBuilder endpoints, string prefix = "/hls")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        Serving.HlsRequestHandler handler = endpoints.ServiceProvider.GetRequiredService<Serving.HlsRequestHandler>();
        RouteGroupBuilder group = endpoints.MapGroup(prefix);
        string[] read = [HttpMethods.Get, HttpMethods.Head];
        group.MapMethods("/{stream}/index.m3u8", read, (HttpContext c, string stream) => handler.MultivariantAsync(c, stream));
        group.MapMethods("/{stream}/media.m3u8", read, (HttpContext c, string stream) => handler.MediaAsync(c, stream));
        group.MapMethods("/{stream}/{session}/init.mp4", read, (HttpContext c, string stream, string session) => handler.InitAsync(c, stream, session));
        group.MapMethods("/{stream}/{session}/{file}", read, (HttpContext c, string stream, string session, string file) => handler.MediaFileAsync(c, stream, session, file));
        // Preflights on the same patterns only: a catch-all here would shadow static files under the prefix
        // (the viewer page at /hls/index.html) with 405s.
        foreach (string pattern in (string[])["/{stream}/index.m3u8", "/{stream}/media.m3u8", "/{stream}/{session}/init.mp4", "/{stream}/{session}/{file}"])
        {
            group.MapMethods(pattern, [HttpMethods.Options], Serving.HlsRequestHandler.PreflightAsync);
        }

        return group;
    }
}
