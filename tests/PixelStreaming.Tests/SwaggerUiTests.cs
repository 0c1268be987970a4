using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.PixelStreaming.Tests.Support;
using MobZ.Signaling.Abstractions;
using MobZ.State;

namespace MobZ.PixelStreaming.Tests;

/// <summary>
/// Swagger UI's files are embedded gzip-compressed in Swashbuckle: a browser gets them with Content-Encoding
/// gzip (so it decompresses them), a client that accepts no gzip gets plain text. The same handler serves
/// the local stack and the Lambda http function.
/// </summary>
public sealed class SwaggerUiTests : IAsyncLifetime
{
    private IStateBackend _backend = null!;
    private PsStack _ps = null!;

    public async Task InitializeAsync()
    {
        _backend = await StateBackend.CreateAsync(null, NullLoggerFactory.Instance);
        _ps = new PsStack(_backend.Store);
    }

    public async Task DisposeAsync()
    {
        await _ps.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Theory]
    [InlineData("/docs/swagger-ui-bundle.js", "text/javascript")]
    [InlineData("/docs/swagger-ui-standalone-preset.js", "text/javascript")]
    [InlineData("/docs/swagger-ui.css", "text/css")]
    public async Task A_browser_gets_the_gzip_bytes_labelled_as_gzip(string path, string type)
    {
        var response = await GetAsync(path, "gzip, deflate, br, zstd");
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("gzip", response.Headers!["content-encoding"]);
        Assert.Equal(type, response.Headers["content-type"]);
        Assert.Contains("accept-encoding", response.Headers["vary"]);
        var text = Gunzip(Convert.FromBase64String(response.Body!));
        Assert.True(text.Length > 10_000, $"{path} decompresses to {text.Length} characters");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("identity")]
    [InlineData("gzip;q=0, identity")]
    public async Task A_client_without_gzip_gets_the_file_decompressed(string? acceptEncoding)
    {
        var response = await GetAsync("/docs/swagger-ui-bundle.js", acceptEncoding);
        Assert.Equal(200, response.StatusCode);
        Assert.False(response.Headers!.ContainsKey("content-encoding"));
        var text = Encoding.UTF8.GetString(Convert.FromBase64String(response.Body!));
        Assert.Contains("SwaggerUIBundle", text);
    }

    private Task<ProxyResponse> GetAsync(string path, string? acceptEncoding)
    {
        var headers = new Dictionary<string, string>();
        if (acceptEncoding is not null)
            headers["accept-encoding"] = acceptEncoding;
        return _ps.Api.HandleAsync(
            new HttpApiEvent
            {
                RouteKey = "$default",
                RawPath = path,
                Headers = headers,
                RequestContext = new HttpApiRequestContext
                {
                    DomainName = "127.0.0.1",
                    Http = new HttpApiRequestHttp
                    {
                        Method = "GET",
                        Path = path,
                        SourceIp = "127.0.0.1",
                    },
                },
            },
            CancellationToken.None
        );
    }

    private static string Gunzip(byte[] data)
    {
        using var gzip = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
