using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MobZ.Hls;

public static class HlsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves LL-HLS under <paramref name="prefix"/>: <c>{prefix}/{stream}/index.m3u8</c> (multivariant),
    /// <c>{prefix}/{stream}/media.m3u8</c> (media, with blocking reload and delta updates; <c>media{n}.m3u8</c> the
    /// other renditions of a simulcast ladder) and the media
    /// files the playlist names; the same under <c>{prefix}/{stream}/t/{token}/</c> with a playback token in the
    /// path, which every relative URI of the playlists inherits (<see cref="HlsServingOptions.RequirePlaybackToken"/>).
    /// Needs <see cref="HlsServiceCollectionExtensions.AddHls"/>.
    /// </summary>
    public static RouteGroupBuilder MapHls(this IEndpointRouteBuilder endpoints, string prefix = "/hls")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        Serving.HlsRequestHandler handler = endpoints.ServiceProvider.GetRequiredService<Serving.HlsRequestHandler>();
        RouteGroupBuilder group = endpoints.MapGroup(prefix);
        string[] read = [HttpMethods.Get, HttpMethods.Head];
        group.MapMethods("/{stream}/index.m3u8", read, (HttpContext c, string stream) =>
            handler.MultivariantAsync(c, stream)
        );
        group.MapMethods("/{stream}/media.m3u8", read, (HttpContext c, string stream) => handler.MediaAsync(c, stream));
        // The other renditions of a simulcast ladder, beside media.m3u8 so that their media URIs resolve alike.
        group.MapMethods("/{stream}/media{rendition:int}.m3u8", read, (HttpContext c, string stream, int rendition) =>
            handler.MediaAsync(c, stream, rendition: rendition)
        );
        group.MapMethods("/{stream}/{session}/init.mp4", read, (HttpContext c, string stream, string session) =>
            handler.InitAsync(c, stream, session)
        );
        group.MapMethods(
            "/{stream}/{session}/{file}",
            read,
            (HttpContext c, string stream, string session, string file) =>
                handler.MediaFileAsync(c, stream, session, file)
        );
        // The token is one path segment after "t", so the URL of every file of a stream starts with
        // {prefix}/{stream}/t/{token}/: a CDN can check or strip the token by that prefix.
        group.MapMethods("/{stream}/t/{token}/index.m3u8", read, (HttpContext c, string stream, string token) =>
            handler.MultivariantAsync(c, stream, token)
        );
        group.MapMethods("/{stream}/t/{token}/media.m3u8", read, (HttpContext c, string stream, string token) =>
            handler.MediaAsync(c, stream, token)
        );
        group.MapMethods(
            "/{stream}/t/{token}/media{rendition:int}.m3u8",
            read,
            (HttpContext c, string stream, string token, int rendition) =>
                handler.MediaAsync(c, stream, token, rendition)
        );
        group.MapMethods(
            "/{stream}/t/{token}/{session}/init.mp4",
            read,
            (HttpContext c, string stream, string token, string session) => handler.InitAsync(c, stream, session, token)
        );
        group.MapMethods(
            "/{stream}/t/{token}/{session}/{file}",
            read,
            (HttpContext c, string stream, string token, string session, string file) =>
                handler.MediaFileAsync(c, stream, session, file, token)
        );
        // Preflights on the same patterns only: a catch-all here would shadow static files under the prefix
        // (the viewer page at /hls/index.html) with 405s. Browsers send no credentials with them, so they need no
        // token.
        foreach (
            string pattern in (string[])
                [
                    "/{stream}/index.m3u8",
                    "/{stream}/media.m3u8",
                    "/{stream}/media{rendition:int}.m3u8",
                    "/{stream}/{session}/init.mp4",
                    "/{stream}/{session}/{file}",
                    "/{stream}/t/{token}/index.m3u8",
                    "/{stream}/t/{token}/media.m3u8",
                    "/{stream}/t/{token}/media{rendition:int}.m3u8",
                    "/{stream}/t/{token}/{session}/init.mp4",
                    "/{stream}/t/{token}/{session}/{file}",
                ]
        )
        {
            group.MapMethods(pattern, [HttpMethods.Options], Serving.HlsRequestHandler.PreflightAsync);
        }

        return group;
    }
}
