using System.Text.Json;
using MobZ.Signaling.Abstractions;
using MobZ.Signaling.Aws.ApiGateway;

namespace MobZ.Signaling.Lambda;

/// <summary>
/// One HTTP API function serving several path prefixes (the REST API, its docs, ...): the longest matching
/// prefix of rawPath picks the handler; no match is a 404 with API Gateway's body.
/// </summary>
public sealed class HttpPathRouter(IReadOnlyList<(string Prefix, IHttpHandler Handler)> routes) : IHttpHandler
{
    private readonly (string Prefix, IHttpHandler Handler)[] _routes =
    [
        .. routes.OrderByDescending(r => r.Prefix.Length),
    ];

    public Task<ProxyResponse> HandleAsync(HttpApiEvent evt, CancellationToken cancellationToken)
    {
        foreach (var (prefix, handler) in _routes)
        {
            if (
                evt.RawPath.StartsWith(prefix, StringComparison.Ordinal)
                && (evt.RawPath.Length == prefix.Length || evt.RawPath[prefix.Length] == '/' || prefix.EndsWith('/'))
            )
            {
                return handler.HandleAsync(evt, cancellationToken);
            }
        }
        return Task.FromResult(
            new ProxyResponse
            {
                StatusCode = 404,
                Headers = new Dictionary<string, string> { ["content-type"] = "application/json" },
                Body = JsonSerializer.Serialize(
                    new ApiGatewayError("Not Found"),
                    ApiGatewayJsonContext.Default.ApiGatewayError
                ),
            }
        );
    }
}
