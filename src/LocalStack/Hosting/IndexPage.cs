using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using MobZ.Signaling.Abstractions;
using MobZ.State;

namespace MobZ.LocalStack.Hosting;

/// <summary>
/// The demo site's front page, built from what is mounted: registered <see cref="DemoPage"/>s, every top-level
/// .html page and every folder's index.html in wwwroot (titled by its &lt;title&gt;), the WebSocket and HTTP
/// APIs, and the state backend.
/// A capability that drops a page into wwwroot is listed without touching this file.
/// </summary>
internal static partial class IndexPage
{
    public static string Render(IServiceProvider services)
    {
        var pages = services.GetServices<DemoPage>().ToList();
        var webRoot = services.GetRequiredService<IWebHostEnvironment>().WebRootPath;
        if (Directory.Exists(webRoot))
        {
            var files = Directory
                .EnumerateFiles(webRoot, "*.html")
                .Concat(
                    Directory
                        .EnumerateDirectories(webRoot)
                        .Select(d => Path.Combine(d, "index.html"))
                        .Where(File.Exists)
                )
                .Order(StringComparer.Ordinal);
            foreach (var file in files)
            {
                var href = "/" + Path.GetRelativePath(webRoot, file).Replace('\\', '/');
                if (href == "/index.html" || pages.Any(p => p.Href == href))
                    continue;
                var title = TitlePattern().Match(File.ReadAllText(file)) is { Success: true } m
                    ? m.Groups[1].Value.Trim()
                    : Path.GetFileNameWithoutExtension(file);
                pages.Add(new DemoPage(WebUtility.HtmlDecode(title), href));
            }
        }

        var html = new StringBuilder();
        html.Append(
            """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>MobZ local stack</title>
            <meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="/favicon.ico">
            <style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;color:#222}
            header p{color:#444;margin-top:0}code{font-family:ui-monospace,monospace;font-size:.85rem;background:#f3f3f3;padding:0 .25rem}
            h2{margin:1.5rem 0 .5rem;font-size:1.25rem}li{margin:.3rem 0}
            #demos{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(min(17rem,100%),1fr));gap:.8rem}
            #demos li{margin:0;border:1px solid #ccc;border-radius:6px;padding:.7rem .9rem;color:#555;font-size:.92rem}
            #demos a{display:block;font-size:1.05rem;font-weight:600;margin-bottom:.25rem}
            #demos .description:empty{display:none}</style></head><body>
            <header><h1>MobZ local stack</h1>
            <p>Everything runs in this process: room signaling, a Munit SFU, LL-HLS, Pixel Streaming and the admin API.
            Open a demo in two tabs to see people meet.</p></header>
            """
        );
        html.Append("<h2>Demos</h2><ul id=\"demos\">");
        if (pages.Count == 0)
            html.Append("<li>No demo pages are mounted.</li>");
        foreach (var page in pages)
        {
            html.Append("<li><a href=\"")
                .Append(WebUtility.HtmlEncode(page.Href))
                .Append("\">")
                .Append(WebUtility.HtmlEncode(page.Title))
                .Append("</a>");
            html.Append("<span class=\"description\">")
                .Append(WebUtility.HtmlEncode(page.Description ?? ""))
                .Append("</span>");
            html.Append("</li>");
        }
        html.Append("</ul><h2>WebSocket APIs</h2><ul>");
        foreach (var api in services.GetServices<WebSocketApiRegistration>())
        {
            html.Append("<li><code>")
                .Append(WebUtility.HtmlEncode(api.Path))
                .Append("</code> — route selection <code>")
                .Append(WebUtility.HtmlEncode(api.RouteSelectionExpression))
                .Append("</code>, @connections at <code>/")
                .Append(WebUtility.HtmlEncode(api.Stage))
                .Append("/@connections/{id}</code></li>");
        }
        html.Append("</ul><h2>HTTP APIs</h2><ul>");
        foreach (var api in services.GetServices<HttpApiRegistration>())
            html.Append("<li><code>").Append(WebUtility.HtmlEncode(api.PathPrefix)).Append("</code></li>");
        var backend = services.GetService<IStateBackend>()?.Name ?? "none";
        html.Append("</ul><p>State backend: <code>")
            .Append(WebUtility.HtmlEncode(backend))
            .Append("</code></p></body></html>");
        return html.ToString();
    }

    [GeneratedRegex("<title>(.*?)</title>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex TitlePattern();
}
