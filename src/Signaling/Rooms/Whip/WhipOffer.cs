namespace MobZ.Signaling.Rooms.Whip;

/// <summary>Why a WHIP request is refused: the HTTP status, a fixed reason name (metric tag) and a sentence for the
/// client.</summary>
public sealed record WhipRefusal(int Status, string Reason, string Message);

/// <summary>
/// What a WHIP endpoint can tell from the offer itself before placing a station: that it is SDP at all, carries what
/// ICE-lite and DTLS-SRTP need (ICE credentials, a fingerprint), sends audio or video, and sends them in codecs a p2m
/// stream can carry into LL-HLS (H.264 video, Opus audio). The Munit negotiates the rest and may still refuse.
/// </summary>
public static class WhipOffer
{
    /// <summary>Far above any real offer (a simulcast Chromium offer is ~10 KB).</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>Null when the offer may go to a Munit; otherwise why not.</summary>
    public static WhipRefusal? Check(string sdp)
    {
        if (sdp.Length > MaxLength)
            return new(413, "offer_too_large", $"The offer is longer than {MaxLength} bytes");
        var lines = sdp.Split('\n', StringSplitOptions.TrimEntries);
        if (lines.Length == 0 || lines[0] != "v=0")
            return Malformed("the body is not an SDP offer (it must start with \"v=0\")");

        bool fingerprint = false,
            ufrag = false,
            pwd = false,
            sendsMedia = false;
        string sessionDirection = "sendrecv";
        Section? section = null;
        var sections = new List<Section>();
        foreach (var line in lines)
        {
            if (line.Length == 0)
                continue;
            if (line.Length < 2 || line[1] != '=')
                return Malformed($"\"{Shorten(line)}\" is not an SDP line");
            if (line.StartsWith("m=", StringComparison.Ordinal))
            {
                var parts = line[2..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 4 || !int.TryParse(parts[1], out int port))
                    return Malformed($"\"{Shorten(line)}\" is not a media line");
                section = new Section(parts[0], port);
                sections.Add(section);
                continue;
            }
            if (!line.StartsWith("a=", StringComparison.Ordinal))
                continue;
            string attribute = line[2..];
            fingerprint |= attribute.StartsWith("fingerprint:", StringComparison.Ordinal);
            ufrag |= attribute.StartsWith("ice-ufrag:", StringComparison.Ordinal);
            pwd |= attribute.StartsWith("ice-pwd:", StringComparison.Ordinal);
            if (attribute == "bundle-only" && section is not null)
            {
                section.BundleOnly = true; // port 0 with bundle-only is a live section that shares the first one's port
            }
            else if (attribute is "sendrecv" or "sendonly" or "recvonly" or "inactive")
            {
                if (section is null)
                    sessionDirection = attribute;
                else
                    section.Direction = attribute;
            }
            else if (section is not null && attribute.StartsWith("rtpmap:", StringComparison.Ordinal))
            {
                // a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>]
                int space = attribute.IndexOf(' ', StringComparison.Ordinal);
                if (space > 0)
                    section.Codecs.Add(attribute[(space + 1)..].Split('/')[0].ToUpperInvariant());
            }
        }

        if (sections.Count == 0)
            return Malformed("the offer has no media sections (m= lines)");
        if (!ufrag || !pwd)
            return Malformed("the offer has no ICE credentials (a=ice-ufrag, a=ice-pwd)");
        if (!fingerprint)
            return Malformed("the offer has no DTLS fingerprint (a=fingerprint)");

        foreach (var s in sections)
        {
            bool sends = (s.Port != 0 || s.BundleOnly) && (s.Direction ?? sessionDirection) is "sendonly" or "sendrecv";
            if (!sends || s.Kind is not ("audio" or "video"))
                continue;
            sendsMedia = true;
            string wanted = s.Kind == "video" ? "H264" : "OPUS";
            if (!s.Codecs.Contains(wanted))
            {
                string offered = string.Join(
                    ", ",
                    s.Codecs.Where(c => c is not ("RTX" or "RED" or "ULPFEC")).Distinct()
                );
                return new(
                    422,
                    "unsupported_codec",
                    $"A p2m stream is H.264 video and Opus audio (for LL-HLS); the offer's {s.Kind} has only "
                        + (offered.Length == 0 ? "no codec" : offered)
                );
            }
        }
        return sendsMedia
            ? null
            : new(422, "no_media", "The offer sends no audio or video (a WHIP offer is sendonly audio and/or video)");
    }

    private static WhipRefusal Malformed(string why) => new(400, "malformed_offer", "Malformed offer: " + why);

    private static string Shorten(string line) => line.Length <= 40 ? line : line[..40] + "…";

    private sealed class Section(string kind, int port)
    {
        public string Kind { get; } = kind;
        public int Port { get; } = port;
        public string? Direction { get; set; }
        public bool BundleOnly { get; set; }
        public List<string> Codecs { get; } = [];
    }
}
