using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace MobZ.Hls.Serving;

/// <summary>The delivery directives of a media playlist request (rfc8216bis §6.2.5).</summary>
internal readonly record struct PlaylistDirectives(long? Msn, int? Part, bool Skip)
{
    /// <returns>false for a malformed value or _HLS_part without _HLS_msn, which get 400.</returns>
    public static bool TryParse(IQueryCollection query, out PlaylistDirectives directives)
    {
        directives = default;
        long? msn = null;
        int? part = null;
        if (query.TryGetValue("_HLS_msn", out var msnValue))
        {
            if (!long.TryParse(msnValue.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out long m))
            {
                return false;
            }

            msn = m;
        }

        if (query.TryGetValue("_HLS_part", out var partValue))
        {
            if (
                msn is null
                || !int.TryParse(partValue.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out int p)
            )
            {
                return false;
            }

            part = p;
        }

        string? skip = query.TryGetValue("_HLS_skip", out var skipValue) ? skipValue.ToString() : null;
        directives = new PlaylistDirectives(msn, part, skip is "YES" or "v2");
        return true;
    }
}

/// <summary>A media file name: <c>init.mp4</c>, <c>{msn}.m4s</c> or <c>{msn}.{part}.m4s</c>.</summary>
internal readonly record struct MediaFileName(long Msn, int? Part)
{
    public static bool TryParse(string file, out MediaFileName name)
    {
        name = default;
        if (!file.EndsWith(".m4s", StringComparison.Ordinal))
        {
            return false;
        }

        ReadOnlySpan<char> stem = file.AsSpan(0, file.Length - 4);
        int dot = stem.IndexOf('.');
        if (dot < 0)
        {
            if (!long.TryParse(stem, NumberStyles.None, CultureInfo.InvariantCulture, out long msn))
            {
                return false;
            }

            name = new MediaFileName(msn, null);
            return true;
        }

        if (
            !long.TryParse(stem[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out long m)
            || !int.TryParse(stem[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int part)
        )
        {
            return false;
        }

        name = new MediaFileName(m, part);
        return true;
    }
}
