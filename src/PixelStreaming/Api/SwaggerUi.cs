using MobZ.Signaling.Abstractions;

namespace MobZ.PixelStreaming.Api;

/// <summary>
/// GET /docs (Swagger UI), /docs/openapi.json (the hand-written document of the real routes) and the UI's
/// static files, read from the Swashbuckle.AspNetCore.SwaggerUI assembly's embedded swagger-ui-dist. Swashbuckle
/// embeds those files gzip-compressed: they go out as they are with <c>Content-Encoding: gzip</c> to clients that
/// accept it (every browser), and decompressed to the rest.
/// </summary>
internal static class SwaggerUi
{
    private const string DistPrefix = "Swashbuckle.AspNetCore.SwaggerUI.node_modules.swagger_ui_dist.";
    private static readonly System.Reflection.Assembly UiAssembly =
        typeof(Swashbuckle.AspNetCore.SwaggerUI.SwaggerUIOptions).Assembly;

    public static string OpenApiJson { get; } = ReadOwn("MobZ.PixelStreaming.openapi.json");

    private static readonly string Page = ReadOwn("MobZ.PixelStreaming.swagger.html");

    public static ProxyResponse Serve(string path, IReadOnlyDictionary<string, string>? requestHeaders = null)
    {
        switch (path)
        {
            case "/docs" or "/docs/index.html":
                return Text(Page, "text/html; charset=utf-8");
            case "/docs/openapi.json":
                return Text(OpenApiJson, "application/json");
        }
        var name = path["/docs/".Length..];
        if (
            name
            is not (
                "swagger-ui.css"
                or "swagger-ui-bundle.js"
                or "swagger-ui-standalone-preset.js"
                or "favicon-32x32.png"
                or "favicon-16x16.png"
            )
        )
        {
            return PixelStreamingApiHandler.Error(404, "not found");
        }

        if (ReadDist(name) is not { } stored)
            return PixelStreamingApiHandler.Error(404, "not found");

        var type =
            name.EndsWith(".css", StringComparison.Ordinal) ? "text/css"
            : name.EndsWith(".png", StringComparison.Ordinal) ? "image/png"
            : "text/javascript";
        var headers = new Dictionary<string, string>
        {
            ["content-type"] = type,
            ["cache-control"] = "public, max-age=86400",
            ["vary"] = "accept-encoding",
        };
        var body = stored;
        if (IsGzip(stored))
        {
            if (AcceptsGzip(requestHeaders))
                headers["content-encoding"] = "gzip";
            else
                body = Gunzip(stored);
        }
        return new ProxyResponse
        {
            StatusCode = 200,
            Body = Convert.ToBase64String(body),
            IsBase64Encoded = true,
            Headers = headers,
        };
    }

    private static byte[]? ReadDist(string name)
    {
        using var stream = UiAssembly.GetManifestResourceStream(DistPrefix + name);
        if (stream is null)
            return null;
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static bool IsGzip(byte[] data) => data.Length > 2 && data[0] == 0x1f && data[1] == 0x8b;

    private static byte[] Gunzip(byte[] data)
    {
        using var gzip = new System.IO.Compression.GZipStream(
            new MemoryStream(data),
            System.IO.Compression.CompressionMode.Decompress
        );
        using var plain = new MemoryStream();
        gzip.CopyTo(plain);
        return plain.ToArray();
    }

    /// <summary>Accept-Encoding names gzip (or *) with a non-zero quality.</summary>
    private static bool AcceptsGzip(IReadOnlyDictionary<string, string>? headers)
    {
        var value = headers
            ?.FirstOrDefault(h => h.Key.Equals("accept-encoding", StringComparison.OrdinalIgnoreCase))
            .Value;
        if (value is null)
            return false;
        foreach (var part in value.Split(','))
        {
            var fields = part.Split(';', StringSplitOptions.TrimEntries);
            if (fields[0] is not ("gzip" or "*"))
                continue;
            var q = fields.Skip(1).FirstOrDefault(f => f.StartsWith("q=", StringComparison.Ordinal));
            return q is null
                || !double.TryParse(q[2..], System.Globalization.CultureInfo.InvariantCulture, out var quality)
                || quality > 0;
        }
        return false;
    }

    private static ProxyResponse Text(string body, string type) =>
        new()
        {
            StatusCode = 200,
            Body = body,
            Headers = new Dictionary<string, string> { ["content-type"] = type },
        };

    private static string ReadOwn(string name)
    {
        using var stream = typeof(SwaggerUi).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"missing resource {name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
