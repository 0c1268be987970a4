using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Access;
using MobZ.Hls.Serving;

namespace MobZ.Bench.Hls;

/// <summary>
/// What the LL-HLS endpoint spends on a request's playback token (HS256, room + subscribe): verified in full, as
/// the first request with a token is, against taken from the cache of validated tokens, as the several requests a
/// second of the same player are afterwards.
/// </summary>
[MemoryDiagnoser]
public class PlaybackTokenBenchmarks
{
    private const string Stream = "live-room";
    private AccessTokenValidator _validator = null!;
    private PlaybackTokenGate _gate = null!;
    private string _token = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new AccessTokenOptions { HmacSecret = "bench-playback-secret-0123456789abcdef" };
        _validator = new AccessTokenValidator(options);
        _gate = new PlaybackTokenGate(
            _validator,
            new PlaybackTokenCache(10_000, TimeProvider.System),
            NullLogger.Instance
        );
        _token = new AccessTokenIssuer(options, TimeProvider.System).Issue(
            "viewer-1",
            Stream,
            AccessGrant.Join | AccessGrant.Subscribe,
            TimeSpan.FromHours(6)
        );
        if (_gate.CheckAsync(Stream, _token, CancellationToken.None).AsTask().GetAwaiter().GetResult() is { } refused)
            throw new InvalidOperationException($"the bench token was refused: {refused.Message}");
    }

    /// <summary>A cache miss: the signature, lifetime and claims checked, then the room and grant.</summary>
    [Benchmark(Baseline = true)]
    public async Task<bool> Uncached()
    {
        AccessCheck check = await _validator.ValidateAsync(_token).ConfigureAwait(false);
        return check.Claims is { } c && c.Covers(Stream) && c.Has(AccessGrant.Subscribe);
    }

    /// <summary>A repeat request with the same token.</summary>
    [Benchmark]
    public async Task<bool> Cached() =>
        await _gate.CheckAsync(Stream, _token, CancellationToken.None).ConfigureAwait(false) is null;
}
