using System.Net;
using MobZ.Aws.Credentials;
using MobZ.Aws.Signing;

namespace MobZ.Aws.Clients;

/// <summary>
/// Signs and sends one AWS request, retrying throttling and server errors with bounded, jittered exponential
/// backoff. The request is rebuilt for every attempt, so each carries a fresh date and signature.
/// </summary>
public sealed class SignedRequestSender(
    HttpClient http,
    IAwsCredentialsProvider credentials,
    string region,
    string service,
    TimeProvider? time = null
)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public int MaxAttempts { get; init; } = 4;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(2);

    public string Region => region;
    public string Service => service;

    /// <param name="isRetryable">Decides on a non-success answer (e.g. a 400 whose error code says Throttling).</param>
    public async Task<HttpResponseMessage> SendAsync(
        Func<HttpRequestMessage> createRequest,
        Func<HttpResponseMessage, Task<bool>> isRetryable,
        CancellationToken cancellationToken
    )
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = createRequest();
            var creds = await credentials.GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
            await SigV4Signer
                .SignAsync(request, creds, region, service, _time.GetUtcNow(), cancellationToken)
                .ConfigureAwait(false);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (attempt < MaxAttempts)
            {
                await DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (response.IsSuccessStatusCode || attempt >= MaxAttempts)
                return response;
            var retry =
                response.StatusCode == HttpStatusCode.TooManyRequests
                || (int)response.StatusCode >= 500
                || await isRetryable(response).ConfigureAwait(false);
            if (!retry)
                return response;
            response.Dispose();
            await DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task DelayAsync(int attempt, CancellationToken cancellationToken)
    {
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return Task.Delay(
            TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2),
            _time,
            cancellationToken
        );
    }

    /// <summary>https://{service}.{region}.amazonaws.com/, the regional endpoint of most AWS APIs.</summary>
    public static Uri RegionalEndpoint(string endpointPrefix, string region) =>
        new($"https://{endpointPrefix}.{region}.amazonaws.com/");
}
