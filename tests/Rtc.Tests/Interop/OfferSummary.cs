using System.Text.RegularExpressions;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Transport;

namespace MobZ.Rtc.Tests.Interop;

/// <summary>
/// The handful of facts the echo endpoint needs from a browser's offer. Deliberately small and
/// regex-based: it plays the signalling side of these tests, not the product's SDP layer.
/// </summary>
internal sealed partial record OfferSummary(RtcRemoteParameters Transport, IReadOnlyList<OfferedMedia> Media)
{
    public static OfferSummary Parse(string sdp)
    {
        var lines = sdp.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        string? ufrag = null, pwd = null, fingerprint = null, setup = null;
        var media = new List<OfferedMedia>();
        OfferedMedia? current = null;
        foreach (var line in lines)
        {
            if (line.StartsWith("m="))
            {
                var parts = line[2..].Split(' ');
                current = new OfferedMedia(parts[0]);
                media.Add(current);
            }
            else if (line.StartsWith("a=ice-ufrag:"))
                ufrag ??= line["a=ice-ufrag:".Length..];
            else if (line.StartsWith("a=ice-pwd:"))
                pwd ??= line["a=ice-pwd:".Length..];
            else if (line.StartsWith("a=fingerprint:"))
                fingerprint ??= line["a=fingerprint:".Length..];
            else if (line.StartsWith("a=setup:"))
                setup ??= line["a=setup:".Length..];
            else if (current is not null && line.StartsWith("a=mid:"))
                current.Mid = line["a=mid:".Length..];
            else if (current is not null && RtpMap().Match(line) is { Success: true } rtpmap)
                current.Codecs.Add((int.Parse(rtpmap.Groups[1].Value), rtpmap.Groups[2].Value));
            else if (current is not null && ExtMap().Match(line) is { Success: true } extmap)
                current.Extensions[extmap.Groups[2].Value] = int.Parse(extmap.Groups[1].Value);
            else if (current is not null && line.StartsWith("a=fmtp:"))
                current.Fmtp.Add(line["a=".Length..]);
        }
        if (!DtlsFingerprint.TryParse(fingerprint, out var parsed))
            throw new FormatException("offer has no usable a=fingerprint");
        return new OfferSummary(new RtcRemoteParameters(ufrag!, pwd!, parsed, setup ?? "actpass"), media);
    }

    [GeneratedRegex(@"^a=rtpmap:(\d+) ([^\s]+)$")]
    private static partial Regex RtpMap();

    [GeneratedRegex(@"^a=extmap:(\d+)(?:/\w+)? (\S+)")]
    private static partial Regex ExtMap();
}

internal sealed class OfferedMedia(string kind)
{
    public string Kind { get; } = kind;
    public string Mid { get; set; } = "";
    public List<(int PayloadType, string Encoding)> Codecs { get; } = [];
    public Dictionary<string, int> Extensions { get; } = [];
    public List<string> Fmtp { get; } = [];

    /// <summary>First payload type whose encoding name starts with <paramref name="encoding"/> (e.g. "VP8/90000").</summary>
    public int PayloadType(string encoding) =>
        Codecs.First(c => c.Encoding.StartsWith(encoding, StringComparison.OrdinalIgnoreCase)).PayloadType;

    public bool Offers(string encoding) => Codecs.Any(c => c.Encoding.StartsWith(encoding, StringComparison.OrdinalIgnoreCase));
}
