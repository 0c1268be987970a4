namespace MobZ.Hls;

/// <summary>
/// Where packaged streams are stored and who may play them; bound from configuration section "Hls" beside
/// <see cref="HlsOptions"/> (the packaging settings), so the keys are <c>Hls:RequirePlaybackToken</c> and so on.
/// </summary>
public sealed class HlsServingOptions
{
    public const string DefaultKeyPrefix = "hls:";

    /// <summary>
    /// Playlists and media are served only to a request carrying an access token (docs/hls.md, "Protecting LL-HLS
    /// playback") that covers the stream's room and grants <c>subscribe</c>: in the path
    /// (<c>/hls/{stream}/t/{token}/index.m3u8</c>), as <c>?token=</c> or as a bearer header. Needs
    /// <c>AddMobZAccess</c> for the keys. On by default; only the local development stack turns it off.
    /// </summary>
    public bool RequirePlaybackToken { get; set; } = true;

    /// <summary>
    /// Validated playback tokens remembered (each until its <c>exp</c>), so the several requests a second of an
    /// LL-HLS player do not verify the same signature again.
    /// </summary>
    public int PlaybackTokenCacheSize { get; set; } = 10_000;

    /// <summary>Store keys and bus channels start with this.</summary>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>Throws when a setting is out of range; the serving registration calls it.</summary>
    public void Validate()
    {
        if (PlaybackTokenCacheSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(PlaybackTokenCacheSize), PlaybackTokenCacheSize, "at least 1");
        }

        if (string.IsNullOrEmpty(KeyPrefix))
        {
            throw new ArgumentException("must not be empty", nameof(KeyPrefix));
        }
    }
}
