using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Aws.Credentials;
using MobZ.Aws.Signing;
using MobZ.Signaling.Abstractions;

namespace MobZ.Signaling.Aws.ApiGateway;

/// <summary>
/// The API Gateway Management API over SigV4-signed HTTPS (service "execute-api"):
/// POST / GET / DELETE <c>{endpoint}/@connections/{connectionId}</c>, where the endpoint is
/// <c>https://{domainName}/{stage}</c> of the WebSocket API. 410 maps to <see cref="SendStatus.Gone"/>;
/// payloads over 128 KB are refused before anything is sent; 429 and 5xx are retried with bounded,
/// jittered exponential backoff.
/// </summary>
public sealed class ApiGatewayManagementClient : IConnectionSender
{
    public const string Service = "execute-api";

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly IAwsCredentialsProvider _credentials;
    private readonly string _region;
    private readonly ApiGatewayManagementOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="endpoint">https://{domainName}/{stage} (tests inject a loopback http URI).</param>
    public ApiGatewayManagementClient(
        HttpClient http,
        Uri endpoint,
        IAwsCredentialsProvider credentials,
        string region,
        ApiGatewayManagementOptions? options = null,
        TimeProvider? time = null,
        ILogger<ApiGatewayManagementClient>? logger = null
    )
    {
        _http = http;
        _endpoint = new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/");
        _credentials = credentials;
        _region = region;
        _options = options ?? new ApiGatewayManagementOptions();
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The Management API endpoint of a WebSocket API, from a WebSocket event's requestContext.</summary>
    public static Uri EndpointFor(string domainName, string stage) =>
        new($"https://{domainName}/{Uri.EscapeDataString(stage)}");

    /// <summary>The region in an execute-api domain name ({apiId}.execute-api.{region}.amazonaws.com), else null
    /// (custom domains).</summary>
    public static string? RegionFromDomainName(string domainName)
    {
        var labels = domainName.Split('.');
        return labels.Length >= 4 && labels[1] == Service ? labels[2] : null;
    }

    public async Task<SendStatus> SendAsync(
        string connectionId,
        ReadOnlyMemory<byte> payload,
        CancellationToken cancellationToken = default
    )
    {
        if (payload.Length > IConnectionSender.MaxPayloadBytes)
        {
            _logger.LogWarning(
                "Refusing {Bytes} bytes to {ConnectionId}: over the 128 KB API Gateway limit",
                payload.Length,
                connectionId
            );
            return SendStatus.TooLarge;
        }
        using var response = await SendWithRetriesAsync(HttpMethod.Post, connectionId, payload, cancellationToken)
            .ConfigureAwait(false);
        if (response is null)
            return SendStatus.Failed;
        switch (response.StatusCode)
        {
            case HttpStatusCode.OK or HttpStatusCode.NoContent:
                return SendStatus.Sent;
            case HttpStatusCode.Gone:
                return SendStatus.Gone;
            case HttpStatusCode.RequestEntityTooLarge:
                return SendStatus.TooLarge;
            default:
                await LogFailureAsync(response, "POST", connectionId, cancellationToken).ConfigureAwait(false);
                return SendStatus.Failed;
        }
    }

    public async Task<ConnectionInfo?> GetConnectionAsync(
        string connectionId,
        CancellationToken cancellationToken = default
    )
    {
        using var response = await SendWithRetriesAsync(HttpMethod.Get, connectionId, null, cancellationToken)
            .ConfigureAwait(false)
            ?? throw new ApiGatewayManagementException("GET @connections failed after retries.", null);
        if (response.StatusCode == HttpStatusCode.Gone)
            return null;
        if (!response.IsSuccessStatusCode)
        {
            throw new ApiGatewayManagementException(
                $"GET @connections answered {(int)response.StatusCode}.",
                (int)response.StatusCode
            );
        }

        var body = await response
            .Content.ReadFromJsonAsync(ApiGatewayJsonContext.Default.GetConnectionResponse, cancellationToken)
            .ConfigureAwait(false)
            ?? throw new ApiGatewayManagementException(
                "GET @connections returned an empty body.",
                (int)response.StatusCode
            );
        return new ConnectionInfo(body.ConnectedAt, body.LastActiveAt, body.Identity.SourceIp, body.Identity.UserAgent);
    }

    public async Task<bool> DeleteConnectionAsync(string connectionId, CancellationToken cancellationToken = default)
    {
        using var response = await SendWithRetriesAsync(HttpMethod.Delete, connectionId, null, cancellationToken)
            .ConfigureAwait(false)
            ?? throw new ApiGatewayManagementException("DELETE @connections failed after retries.", null);
        if (response.StatusCode == HttpStatusCode.Gone)
            return false;
        if (!response.IsSuccessStatusCode)
        {
            throw new ApiGatewayManagementException(
                $"DELETE @connections answered {(int)response.StatusCode}.",
                (int)response.StatusCode
            );
        }

        return true;
    }

    /// <returns>The final response, or null when every attempt failed at the transport level.</returns>
    private async Task<HttpResponseMessage?> SendWithRetriesAsync(
        HttpMethod method,
        string connectionId,
        ReadOnlyMemory<byte>? payload,
        CancellationToken cancellationToken
    )
    {
        var uri = new Uri(_endpoint, "@connections/" + Uri.EscapeDataString(connectionId));
        for (var attempt = 1; ; attempt++)
        {
            var last = attempt >= _options.MaxAttempts;
            HttpResponseMessage? response = null;
            try
            {
                using var request = new HttpRequestMessage(method, uri);
                if (payload is { } body)
                {
                    request.Content = new ReadOnlyMemoryContent(body);
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                }
                var credentials = await _credentials.GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
                await SigV4Signer
                    .SignAsync(request, credentials, _region, Service, _time.GetUtcNow(), cancellationToken)
                    .ConfigureAwait(false);

                using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attemptCts.CancelAfter(_options.AttemptTimeout);
                response = await _http.SendAsync(request, attemptCts.Token).ConfigureAwait(false);
                if (last || !IsRetryable(response.StatusCode))
                    return response;
                _logger.LogDebug(
                    "{Method} @connections/{ConnectionId} answered {Status}; retrying",
                    method,
                    connectionId,
                    (int)response.StatusCode
                );
                response.Dispose();
            }
            catch (Exception ex)
                when (ex is HttpRequestException
                    || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
                )
            {
                response?.Dispose();
                if (last)
                {
                    _logger.LogWarning(
                        ex,
                        "{Method} @connections/{ConnectionId} failed after {Attempts} attempts",
                        method,
                        connectionId,
                        attempt
                    );
                    return null;
                }
            }
            await Task.Delay(Backoff(attempt), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsRetryable(HttpStatusCode status) =>
        status == HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>Full jitter over an exponential ceiling, bounded by <see
    /// cref="ApiGatewayManagementOptions.MaxDelay"/>.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(
            _options.MaxDelay.TotalMilliseconds,
            _options.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1)
        );
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    private async Task LogFailureAsync(
        HttpResponseMessage response,
        string method,
        string connectionId,
        CancellationToken cancellationToken
    )
    {
        var errorType = response.Headers.TryGetValues("x-amzn-ErrorType", out var values)
            ? values.FirstOrDefault()
            : null;
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogWarning(
            "{Method} @connections/{ConnectionId} answered {Status} {ErrorType}: {Body}",
            method,
            connectionId,
            (int)response.StatusCode,
            errorType,
            body.Length > 300 ? body[..300] : body
        );
    }
}

public sealed class ApiGatewayManagementException(string message, int? statusCode) : Exception(message)
{
    public int? StatusCode { get; } = statusCode;
}
