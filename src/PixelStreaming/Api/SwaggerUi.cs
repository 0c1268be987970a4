using MobZ.Signaling;

namespace MobZ.PixelStreaming.Api;

/// <summary>
/// GET /docs (Swagger UI), /docs/openapi.json (the hand-written document of the real routes) and the UI's
/// static files, read from the Swashbuckle.AspNetCore.SwaggerUI assembly's embedded swagger-ui-dist.
/// </summary>
internal static class SwaggerUi
{
    private const string DistPrefix = "Swashbuckle.AspNetCore.SwaggerUI.node_modules.swagger_ui_dist.";
    private static readonly System.Reflection.Assembly UiAssembly = typeof(Swashbuckle.AspNetCore.SwaggerUI.SwaggerUIOptions).Assembly;

    public static string OpenApiJson { get; } = ReadOwn("MobZ.PixelStreaming.openapi.json");

    private static readonly string Page = ReadOwn("MobZ.PixelStreaming.swagger.html");

    public static ProxyResponse Serve(string path)
    {
        switch (path)
        {
            case "/docs" or "/docs/index.html":
                return Text(Page, "text/html; charset=utf-8");
            case "/docs/openapi.json":
                return Text(OpenApiJson, "application/json");
        }
        var name = path["/docs/".Length..];
        if (name is not ("swagger-ui.css" or "swagger-ui-bundle.js" or "swagger-ui-standalone-preset.js" or "favicon-32x32.png" or "favicon-16x16.png"))
            return PixelStreamingApiHandler.Error(404, "not found");
        using var stream = UiAssembly.GetManifestResourceStream(DistPrefix + name);
        if (stream is null) return PixelStreamingApiHandler.Error(404, "not found");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var type = name.EndsWith(".css", StringComparison.Ordinal) ? "text/css" : name.EndsWith(".png", StringComparison.Ordinal) ? "image/png" : "text/javascript";
        return new ProxyResponse
        {
            StatusCode = 200,
            Body = Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length),
            IsBase64Encoded = true,
            Headers = new Dictionary<string, string> { ["content-type"] = type, ["cache-control"] = "public, max-age=86400" },
        };
    }

    private static ProxyResponse Text(string body, string type) =>
        new() { StatusCode = 200, Body = body, Headers = new Dictionary<string, string> { ["content-type"] = type } };

    private static string ReadOwn(string name)
    {
        using var stream = typeof(SwaggerUi).Assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"missing resource {name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
