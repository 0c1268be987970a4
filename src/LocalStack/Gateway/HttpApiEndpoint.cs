using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using MobZ.Signaling.Abstractions;

namespace MobZ.LocalStack.Gateway;

/// <summary>
/// An HTTP API (payload format 2.0) route <c>ANY {prefix}/{proxy+}</c>: the ASP.NET request becomes an
/// <see cref="HttpApiEvent"/> (headers lowercased, repeated ones joined with ',', textual bodies as text and
/// others base64), and the handler's <see cref="ProxyResponse"/> is written back (status, headers, base64 body
/// decoded).
/// </summary>
public sealed class HttpApiEndpoint(
    HttpApiRegistration registration,
    IHttpHandler handler,
    GatewayOptions options,
    TimeProvider time,
    ILogger logger
)
{
    private readonly string _prefix = "/" + registration.PathPrefix.Trim('/');
    private readonly string _apiId = registration.ApiId ?? registration.PathPrefix.Trim('/').Replace('/', '-');

    public string RouteKey => $"ANY {(_prefix == "/" ? "" : _prefix)}/{{proxy+}}";

    public async Task HandleAsync(HttpContext context)
    {
        var evt = await BuildEventAsync(context).ConfigureAwait(false);
        using var scope = logger.BeginScope(
            new Dictionary<string, object> { ["ApiId"] = _apiId, ["RequestId"] = evt.RequestContext.RequestId! }
        );
        ProxyResponse response;
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted))
        {
            cts.CancelAfter(options.IntegrationTimeout);
            try
            {
                response = await handler.HandleAsync(evt, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                logger.LogError("{Method} {Path} timed out", evt.RequestContext.Http.Method, evt.RawPath);
                response = ProxyResponse.Status(503, "{\"message\":\"Service Unavailable\"}");
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "{Method} {Path} failed", evt.RequestContext.Http.Method, evt.RawPath);
                response = ProxyResponse.Status(500, "{\"message\":\"Internal Server Error\"}");
            }
        }
        await WriteResponseAsync(context, response).ConfigureAwait(false);
    }

    internal async Task<HttpApiEvent> BuildEventAsync(HttpContext context)
    {
        var request = context.Request;
        var now = time.GetUtcNow();
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in request.Headers)
            headers[name.ToLowerInvariant()] = string.Join(',', values.Where(v => v is not null));
        headers["x-forwarded-for"] = context.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1";
        headers["x-forwarded-proto"] = request.Scheme;

        Dictionary<string, string>? query = null;
        if (request.Query.Count > 0)
        {
            query = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, values) in request.Query)
                query[name] = string.Join(',', values.Where(v => v is not null));
        }

        var rawPath = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { } target
            ? target.Split('?')[0]
            : (request.PathBase + request.Path).Value ?? "/";
        var path = (request.PathBase + request.Path).Value ?? "/";
        var proxy = path.Length > _prefix.Length && _prefix != "/" ? path[(_prefix.Length + 1)..] : path.TrimStart('/');

        string? body = null;
        var isBase64 = false;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            if (buffer.Length > 0)
            {
                isBase64 = !IsTextual(request.ContentType);
                body = isBase64
                    ? Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length)
                    : System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            }
        }

        var requestId = Gateway.ConnectionRegistry.NewToken(10);
        return new HttpApiEvent
        {
            RouteKey = RouteKey,
            RawPath = rawPath,
            RawQueryString = request.QueryString.HasValue ? request.QueryString.Value![1..] : "",
            Headers = headers,
            QueryStringParameters = query,
            PathParameters = new Dictionary<string, string> { ["proxy"] = proxy },
            Body = body,
            IsBase64Encoded = isBase64,
            RequestContext = new HttpApiRequestContext
            {
                ApiId = _apiId,
                DomainName = request.Host.Value ?? "localhost",
                RequestId = requestId,
                RouteKey = RouteKey,
                Stage = "$default",
                TimeEpoch = now.ToUnixTimeMilliseconds(),
                Http = new HttpApiRequestHttp
                {
                    Method = request.Method,
                    Path = path,
                    Protocol = request.Protocol,
                    SourceIp = context.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1",
                    UserAgent = request.Headers.UserAgent.Count > 0 ? request.Headers.UserAgent.ToString() : null,
                },
            },
        };
    }

    internal static async Task WriteResponseAsync(HttpContext context, ProxyResponse response)
    {
        context.Response.StatusCode = response.StatusCode;
        var hasContentType = false;
        if (response.Headers is not null)
        {
            foreach (var (name, value) in response.Headers)
            {
                context.Response.Headers[name] = value;
                hasContentType |= string.Equals(name, "content-type", StringComparison.OrdinalIgnoreCase);
            }
        }
        if (string.IsNullOrEmpty(response.Body))
            return;
        if (!hasContentType)
            context.Response.ContentType = "application/json";
        if (response.IsBase64Encoded)
        {
            await context
                .Response.Body.WriteAsync(Convert.FromBase64String(response.Body), context.RequestAborted)
                .ConfigureAwait(false);
        }
        else
        {
            await context.Response.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static bool IsTextual(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
            return true;
        var type = contentType.Split(';')[0].Trim().ToLower(CultureInfo.InvariantCulture);
        return type.StartsWith("text/", StringComparison.Ordinal)
            || type.EndsWith("json", StringComparison.Ordinal)
            || type.EndsWith("xml", StringComparison.Ordinal)
            || type is "application/x-www-form-urlencoded" or "application/javascript" or "application/graphql";
    }
}
