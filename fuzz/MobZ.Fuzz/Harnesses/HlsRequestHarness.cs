using System.Text;
using Microsoft.AspNetCore.Http;
using MobZ.Hls.Serving;
using MobZ.Hls.Serving.Storage;
using static MobZ.Fuzz.FuzzInvariantException;

namespace MobZ.Fuzz.Harnesses;

/// <summary>
/// A viewer's request target (<c>/hls/{stream}/media.m3u8?_HLS_msn=..&amp;_HLS_part=..&amp;_HLS_skip=..</c> or a media
/// file) through what <c>HlsRequestHandler</c> decides before it touches the store: ASP.NET Core's own path and
/// query parsing, the name checks, the delivery directives, and the advance limit against a live playlist.
/// </summary>
internal static class HlsRequestHarness
{
    private const string Session = "abcdef012345";

    // A live stream: segments 4-6 complete, segment 7 open with two parts of 0.2 s, so at most 15 parts ahead.
    private static readonly PlaylistDocument Live = CreateLive();

    public static void Run(byte[] input)
    {
        string target = Encoding.UTF8.GetString(input);
        int question = target.IndexOf('?');
        string path = question < 0 ? target : target[..question];
        string query = question < 0 ? "" : target[question..];

        var context = new DefaultHttpContext();
        // Kestrel answers 400 to a request line whose decoded path holds a NUL, before any route sees it.
        if (path.StartsWith('/') && !path.Contains('\0') && !path.Contains("%00", StringComparison.Ordinal))
            context.Request.Path = PathString.FromUriComponent(path);
        context.Request.QueryString = new QueryString(query.Length > 1 ? query : null);

        string[] segments = context.Request.Path.Value is { } decoded
            ? decoded.Split('/', StringSplitOptions.RemoveEmptyEntries)
            : [];
        if (segments.Length >= 2)
            _ = HlsKeys.IsValidStreamName(segments[1]);
        if (segments.Length == 4)
        {
            _ = HlsKeys.IsValidSession(segments[2]);
            if (MediaFileName.TryParse(segments[3], out MediaFileName name))
            {
                Check(name.Msn >= 0 && name.Part is null or >= 0, "a media file name's numbers are not negative");
                _ = Live.HasPart(name.Msn, name.Part ?? 0);
            }
        }

        if (!PlaylistDirectives.TryParse(context.Request.Query, out PlaylistDirectives directives))
            return;
        Check(directives.Part is null || directives.Msn is not null, "_HLS_part is only accepted with _HLS_msn");
        if (directives.Msn is not long msn)
            return;

        Check(msn >= 0 && directives.Part is null or >= 0, "directive numbers are not negative");
        bool beyond = HlsRequestHandler.IsBeyondAdvanceLimit(Live, msn, directives.Part);
        Check(
            beyond == IsBeyondByCount(msn, directives.Part),
            "the advance limit holds for every msn and part (rfc8216bis §6.2.5.2)"
        );
        if (!beyond)
            _ = Live.HasPart(msn, directives.Part ?? 0);
    }

    /// <summary>The same rule counted in 128-bit integers over the fixed playlist: more than 2 segments or 15 parts
    /// ahead is beyond.</summary>
    private static bool IsBeyondByCount(long msn, int? part)
    {
        const long lastComplete = 6,
            open = 7,
            lastPart = 1,
            limit = 15;
        if ((Int128)msn > lastComplete + 2)
            return true;
        if (part is not int p || msn < open)
            return false;
        Int128 ahead = msn == open ? (Int128)p - lastPart : (Int128)p + 1;
        return ahead > limit;
    }

    private static PlaylistDocument CreateLive()
    {
        var doc = new PlaylistDocument
        {
            TargetDuration = 2,
            PartTarget = 0.2,
            Session = Session,
            NextMsn = 8,
        };
        for (long msn = 4; msn <= 6; msn++)
        {
            doc.Segments.Add(
                new SegmentRecord
                {
                    Msn = msn,
                    Session = Session,
                    Complete = true,
                    Duration = 2,
                    Parts =
                    [
                        .. Enumerable.Range(0, 10).Select(_ => new PartRecord { Duration = 0.2, Independent = true }),
                    ],
                }
            );
        }

        doc.Segments.Add(
            new SegmentRecord
            {
                Msn = 7,
                Session = Session,
                Parts = [new() { Duration = 0.2, Independent = true }, new() { Duration = 0.2 }],
            }
        );
        return doc;
    }
}
