using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace MobZ.Access;

/// <summary>
/// The signing keys an issuer publishes at a JWKS URL. Fetched on first use and kept for
/// <see cref="AccessTokenOptions.JwksMaxAge"/>; a token naming a key id we do not know refreshes them, but never
/// more often than <see cref="AccessTokenOptions.JwksMinRefreshInterval"/>. A failed fetch keeps the last keys.
/// </summary>
public sealed class JwksKeySource(
    string url,
    AccessTokenOptions options,
    HttpClient http,
    TimeProvider time,
    ILogger logger
)
{
    private readonly SemaphoreSlim _fetch = new(1, 1);
    private IReadOnlyList<SecurityKey> _keys = [];
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;
    private DateTimeOffset _attemptedAt = DateTimeOffset.MinValue;

    public IReadOnlyList<SecurityKey> Keys => _keys;

    /// <summary>Keys to try; fetched first when none are held yet or they are older than the max age.</summary>
    public async Task<IReadOnlyList<SecurityKey>> GetAsync(CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() - _fetchedAt > options.JwksMaxAge)
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return _keys;
    }

    /// <summary>Fetches again unless the last attempt was too recent; true when the key set was replaced.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        await _fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            if (now - _attemptedAt < options.JwksMinRefreshInterval)
                return false;
            _attemptedAt = now;
            try
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                cts.CancelAfter(TimeSpan.FromSeconds(5));
                var json = await http.GetStringAsync(url, cts.Token).ConfigureAwait(false);
                var set = new JsonWebKeySet(json);
                var keys = set.GetSigningKeys();
                _keys = [.. keys];
                _fetchedAt = now;
                logger.LogInformation("Fetched {KeyCount} access-token keys from {JwksUrl}", keys.Count, url);
                return true;
            }
            catch (Exception ex)
                when (ex
                        is HttpRequestException
                            or TaskCanceledException
                            or ArgumentException
                            or InvalidOperationException
                )
            {
                logger.LogError(
                    ex,
                    "Fetching access-token keys from {JwksUrl} failed; keeping the {KeyCount} keys held",
                    url,
                    _keys.Count
                );
                return false;
            }
        }
        finally
        {
            _fetch.Release();
        }
    }
}
