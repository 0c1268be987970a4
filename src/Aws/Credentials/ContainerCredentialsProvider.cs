using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MobZ.Aws.Credentials;

/// <summary>
/// The ECS task role: GET the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI under
/// the ECS agent's link-local address, or AWS_CONTAINER_CREDENTIALS_FULL_URI with an optional
/// AWS_CONTAINER_AUTHORIZATION_TOKEN). Credentials are cached and fetched again <see cref="RefreshBefore"/>
/// ahead of their expiry, so a request is never signed with a key that expires in flight.
/// </summary>
public sealed class ContainerCredentialsProvider : IAwsCredentialsProvider, IDisposable
{
    /// <summary>The ECS agent's fixed credentials host for the relative URI form.</summary>
    public const string EcsAgentBase = "http://169.254.170.2";
    public static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(5);

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly string? _authorizationToken;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private AwsCredentials? _cached;

    public ContainerCredentialsProvider(
        HttpClient http,
        Uri endpoint,
        string? authorizationToken = null,
        TimeProvider? time = null,
        ILogger? logger = null
    )
    {
        _http = http;
        _endpoint = endpoint;
        _authorizationToken = authorizationToken;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The endpoint the environment names, or null when this is not a container with a task role.</summary>
    public static Uri? EndpointFromEnvironment(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        var relative = getVariable("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
        if (!string.IsNullOrEmpty(relative))
            return new Uri(EcsAgentBase + (relative.StartsWith('/') ? relative : "/" + relative));
        var full = getVariable("AWS_CONTAINER_CREDENTIALS_FULL_URI");
        return string.IsNullOrEmpty(full) ? null : new Uri(full);
    }

    public static string? AuthorizationTokenFromEnvironment(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        var file = getVariable("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
        if (!string.IsNullOrEmpty(file) && File.Exists(file))
            return File.ReadAllText(file).Trim();
        var token = getVariable("AWS_CONTAINER_AUTHORIZATION_TOKEN");
        return string.IsNullOrEmpty(token) ? null : token;
    }

    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken = default)
    {
        var cached = Volatile.Read(ref _cached);
        if (cached is not null && !NeedsRefresh(cached))
            return cached;

        await _refreshLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            cached = _cached;
            if (cached is not null && !NeedsRefresh(cached))
                return cached;
            try
            {
                var fresh = await FetchAsync(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _cached, fresh);
                _logger.LogInformation(
                    "Container credentials for {AccessKeyId} fetched, expire {Expiration:O}",
                    fresh.AccessKeyId,
                    fresh.Expiration
                );
                return fresh;
            }
            catch (Exception ex)
                when (cached is not null
                    && cached.Expiration > _time.GetUtcNow()
                    && ex is not OperationCanceledException
                )
            {
                // Still valid for a few minutes: keep serving them and try again on the next call.
                _logger.LogWarning(
                    ex,
                    "Refreshing container credentials failed; using the cached ones until {Expiration:O}",
                    cached.Expiration
                );
                return cached;
            }
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    private bool NeedsRefresh(AwsCredentials credentials) =>
        credentials.Expiration is { } expiration && _time.GetUtcNow() >= expiration - RefreshBefore;

    private async Task<AwsCredentials> FetchAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _endpoint);
        if (_authorizationToken is not null)
            request.Headers.TryAddWithoutValidation("Authorization", _authorizationToken);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new AwsCredentialsException($"Container credentials endpoint answered {(int)response.StatusCode}.");
        var body = await response
            .Content.ReadFromJsonAsync(
                ContainerCredentialsJsonContext.Default.ContainerCredentialsResponse,
                cancellationToken
            )
            .ConfigureAwait(false);
        if (body is null || string.IsNullOrEmpty(body.AccessKeyId) || string.IsNullOrEmpty(body.SecretAccessKey))
            throw new AwsCredentialsException("Container credentials endpoint returned no access key.");
        return new AwsCredentials(body.AccessKeyId, body.SecretAccessKey, body.Token, body.Expiration);
    }

    public void Dispose() => _refreshLock.Dispose();
}

internal sealed record ContainerCredentialsResponse(
    [property: JsonPropertyName("AccessKeyId")] string? AccessKeyId,
    [property: JsonPropertyName("SecretAccessKey")] string? SecretAccessKey,
    [property: JsonPropertyName("Token")] string? Token,
    [property: JsonPropertyName("Expiration")] DateTimeOffset? Expiration,
    [property: JsonPropertyName("RoleArn")] string? RoleArn
);

[JsonSerializable(typeof(ContainerCredentialsResponse))]
internal sealed partial class ContainerCredentialsJsonContext : JsonSerializerContext;
