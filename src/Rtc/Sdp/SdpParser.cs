using System.Globalization;
using MobZ.Rtc.Ice;

namespace MobZ.Rtc.Sdp;

/// <summary>
/// Line-by-line SDP parser. Structural problems (no v=0, a bad o=/m=/rtpmap/extmap/ssrc line, duplicate mids,
/// oversized input) fail with "line N: reason"; attributes we do not model are kept verbatim. Never throws.
/// </summary>
public static class SdpParser
{
    /// <summary>Upper bound on accepted SDP text; a browser offer with dozens of m-sections stays far below
    /// it.</summary>
    public const int MaxLength = 512 * 1024;

    public static bool TryParse(string? text, out SessionDescription? description, out string? error)
    {
        description = null;
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "SDP is empty";
            return false;
        }

        if (text.Length > MaxLength)
        {
            error = $"SDP is {text.Length} characters, more than the {MaxLength} accepted";
            return false;
        }

        try
        {
            var state = new ParseState();
            string[] lines = text.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i].TrimEnd('\r');
                if (line.Length == 0)
                {
                    continue;
                }

                string? lineError = state.ParseLine(line);
                if (lineError is not null)
                {
                    error = $"line {i + 1}: {lineError}";
                    return false;
                }
            }

            string? finishError = state.Finish();
            if (finishError is not null)
            {
                error = finishError;
                return false;
            }

            description = state.Session;
            return true;
        }
        catch (Exception e)
            when (e is FormatException or OverflowException or ArgumentException or IndexOutOfRangeException)
        {
            // Every path above validates before converting; this is a last guard so malformed input can never escape as
            // an exception.
            error = "malformed SDP: " + e.Message;
            return false;
        }
    }

    private sealed class ParseState
    {
        private readonly HashSet<string> _mids = new(StringComparer.Ordinal);
        private bool _seenVersion;
        private bool _seenOrigin;
        private MediaDescription? _media;

        public SessionDescription Session { get; } = new();

        public string? ParseLine(string line)
        {
            if (line.Length < 2 || line[1] != '=')
            {
                return $"expected '<type>=<value>', got '{Truncate(line)}'";
            }

            char type = line[0];
            string value = line[2..];
            if (!_seenVersion)
            {
                if (type != 'v' || value != "0")
                {
                    return "SDP must start with v=0";
                }

                _seenVersion = true;
                return null;
            }

            switch (type)
            {
                case 'v':
                    return "second v= line";
                case 'o':
                    return ParseOrigin(value);
                case 's' when _media is null:
                    Session.SessionName = value;
                    return null;
                case 't' when _media is null:
                    Session.Timing = value;
                    return null;
                case 'c':
                    return ParseConnection(value);
                case 'b':
                    (_media?.Bandwidths ?? Session.Bandwidths).Add(value);
                    return null;
                case 'm':
                    return ParseMedia(value);
                case 'a':
                    return _media is null ? ParseSessionAttribute(value) : ParseMediaAttribute(_media, value);
                default:
                    (_media?.OtherLines ?? Session.OtherLines).Add(line);
                    return null;
            }
        }

        public string? Finish()
        {
            if (!_seenVersion)
            {
                return "SDP must start with v=0";
            }

            if (!_seenOrigin)
            {
                return "SDP has no o= line";
            }

            foreach (SdpGroup group in Session.Groups)
            {
                if (group.Semantics == SdpGroup.Bundle)
                {
                    foreach (string mid in group.Mids)
                    {
                        if (!_mids.Contains(mid))
                        {
                            return $"BUNDLE group names mid '{mid}' that no m-section has";
                        }
                    }
                }
            }

            return null;
        }

        private string? ParseOrigin(string value)
        {
            string[] parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (
                parts.Length != 6
                || !ulong.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out ulong version)
            )
            {
                return $"o= needs 'username sess-id sess-version nettype addrtype address', got '{Truncate(value)}'";
            }

            Session.Origin = new SdpOrigin(parts[0], parts[1], version, parts[3], parts[4], parts[5]);
            _seenOrigin = true;
            return null;
        }

        private string? ParseConnection(string value)
        {
            string[] parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3)
            {
                return $"c= needs 'nettype addrtype address', got '{Truncate(value)}'";
            }

            var connection = new SdpConnection(parts[0], parts[1], parts[2]);
            if (_media is null)
            {
                Session.Connection = connection;
            }
            else
            {
                _media.Connection = connection;
            }

            return null;
        }

        private string? ParseMedia(string value)
        {
            string[] parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 4)
            {
                return $"m= needs 'media port proto fmt...', got '{Truncate(value)}'";
            }

            string portText = parts[1];
            int? portCount = null;
            int slash = portText.IndexOf('/');
            if (slash >= 0)
            {
                if (
                    !int.TryParse(
                        portText[(slash + 1)..],
                        NumberStyles.None,
                        CultureInfo.InvariantCulture,
                        out int count
                    )
                )
                {
                    return $"bad port count in '{portText}'";
                }

                portCount = count;
                portText = portText[..slash];
            }

            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
            {
                return $"bad port '{parts[1]}'";
            }

            var media = new MediaDescription
            {
                Kind = parts[0],
                Port = port,
                PortCount = portCount,
                Protocol = parts[2],
            };
            if (media.IsRtp)
            {
                for (int i = 3; i < parts.Length; i++)
                {
                    if (
                        !int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out int pt)
                        || pt > 127
                    )
                    {
                        return $"RTP payload type '{parts[i]}' is not 0-127";
                    }

                    if (media.FindCodec(pt) is null)
                    {
                        media.Codecs.Add(
                            SdpCodec.Static(pt)
                                ?? new SdpCodec
                                {
                                    PayloadType = pt,
                                    Name = string.Empty,
                                    HasRtpmap = false,
                                }
                        );
                    }
                }
            }
            else
            {
                media.Formats.AddRange(parts[3..]);
            }

            Session.Media.Add(media);
            _media = media;
            return null;
        }

        private string? ParseSessionAttribute(string attribute)
        {
            (string name, string? value) = Split(attribute);
            SessionDescription s = Session;
            switch (name)
            {
                case "group" when value is not null:
                    string[] parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length == 0)
                    {
                        return "a=group without semantics";
                    }

                    s.Groups.Add(new SdpGroup(parts[0], parts[1..]));
                    return null;
                case "ice-lite":
                    s.IceLite = true;
                    return null;
                case "ice-ufrag" when value is not null:
                    s.IceUfrag = value;
                    return null;
                case "ice-pwd" when value is not null:
                    s.IcePwd = value;
                    return null;
                case "ice-options" when value is not null:
                    s.IceOptions.AddRange(value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                    return null;
                case "fingerprint":
                {
                    string? fingerprintError = ParseFingerprint(value, out SdpFingerprint? fingerprint);
                    s.Fingerprint = fingerprint ?? s.Fingerprint;
                    return fingerprintError;
                }
                case "setup":
                    if (value is null || !SdpEnumText.TryParseSetup(value, out SdpSetupRole setup))
                    {
                        return $"bad a=setup '{value}'";
                    }

                    s.Setup = setup;
                    return null;
                case "extmap-allow-mixed":
                    s.ExtmapAllowMixed = true;
                    return null;
                case "msid-semantic" when value is not null:
                    s.MsidSemantic = value;
                    return null;
                case "sendrecv" or "sendonly" or "recvonly" or "inactive" when value is null:
                    SdpEnumText.TryParseDirection(name, out SdpDirection direction);
                    s.Direction = direction;
                    return null;
                default:
                    s.OtherAttributes.Add(new SdpAttribute(name, value));
                    return null;
            }
        }

        private string? ParseMediaAttribute(MediaDescription m, string attribute)
        {
            (string name, string? value) = Split(attribute);
            switch (name)
            {
                case "mid" when value is not null:
                    if (m.Mid is not null)
                    {
                        return $"m-section has a second a=mid ('{m.Mid}' and '{value}')";
                    }

                    if (!_mids.Add(value))
                    {
                        return $"duplicate mid '{value}'";
                    }

                    m.Mid = value;
                    return null;
                case "sendrecv" or "sendonly" or "recvonly" or "inactive" when value is null:
                    SdpEnumText.TryParseDirection(name, out SdpDirection direction);
                    m.Direction = direction;
                    return null;
                case "bundle-only" when value is null:
                    m.BundleOnly = true;
                    return null;
                case "ice-ufrag" when value is not null:
                    m.IceUfrag = value;
                    return null;
                case "ice-pwd" when value is not null:
                    m.IcePwd = value;
                    return null;
                case "ice-options" when value is not null:
                    m.IceOptions.AddRange(value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                    return null;
                case "fingerprint":
                {
                    string? fingerprintError = ParseFingerprint(value, out SdpFingerprint? fingerprint);
                    m.Fingerprint = fingerprint ?? m.Fingerprint;
                    return fingerprintError;
                }
                case "setup":
                    if (value is null || !SdpEnumText.TryParseSetup(value, out SdpSetupRole setup))
                    {
                        return $"bad a=setup '{value}'";
                    }

                    m.Setup = setup;
                    return null;
                case "candidate"
                    when value is not null && IceCandidate.TryParse(value, out IceCandidate? candidate, out _):
                    m.Candidates.Add(candidate!);
                    return null;
                case "end-of-candidates":
                    m.EndOfCandidates = true;
                    return null;
                case "rtcp" when value is not null:
                    m.Rtcp = value;
                    return null;
                case "rtcp-mux":
                    m.RtcpMux = true;
                    return null;
                case "rtcp-mux-only":
                    m.RtcpMuxOnly = true;
                    return null;
                case "rtcp-rsize":
                    m.RtcpReducedSize = true;
                    return null;
                case "rtpmap" when m.IsRtp:
                    return ParseRtpmap(m, value, attribute);
                case "fmtp" when m.IsRtp:
                    return ParseFmtp(m, value, attribute);
                case "rtcp-fb" when m.IsRtp:
                    return ParseRtcpFeedback(m, value, attribute);
                case "extmap":
                    return ParseExtmap(m, value);
                case "msid" when value is not null:
                    int space = value.IndexOf(' ');
                    m.Msids.Add(space < 0 ? new SdpMsid(value) : new SdpMsid(value[..space], value[(space + 1)..]));
                    return null;
                case "ssrc":
                    return ParseSsrc(m, value);
                case "ssrc-group":
                    return ParseSsrcGroup(m, value);
                case "rid":
                    return ParseRid(m, value);
                case "simulcast" when value is not null:
                    SdpSimulcast? simulcast = SdpSimulcast.TryParse(value, out string? simulcastError);
                    if (simulcast is null)
                    {
                        return simulcastError;
                    }

                    m.Simulcast = simulcast;
                    return null;
                case "sctp-port":
                    if (!TryParseInt(value, 65535, out int sctpPort))
                    {
                        return $"bad a=sctp-port '{value}'";
                    }

                    m.SctpPort = sctpPort;
                    return null;
                case "max-message-size":
                    if (!TryParseInt(value, int.MaxValue, out int maxMessageSize))
                    {
                        return $"bad a=max-message-size '{value}'";
                    }

                    m.MaxMessageSize = maxMessageSize;
                    return null;
                case "sctpmap" when value is not null:
                    m.SctpMap = value;
                    return null;
                default:
                    m.OtherAttributes.Add(new SdpAttribute(name, value));
                    return null;
            }
        }

        private static string? ParseRtpmap(MediaDescription m, string? value, string raw)
        {
            if (!TrySplitPayloadType(value, out int pt, out string rest))
            {
                return $"bad a=rtpmap '{Truncate(raw)}'";
            }

            string[] encoding = rest.Split('/');
            if (
                encoding.Length is < 2 or > 3
                || encoding[0].Length == 0
                || !int.TryParse(encoding[1], NumberStyles.None, CultureInfo.InvariantCulture, out int clockRate)
            )
            {
                return $"a=rtpmap:{pt} needs 'name/clock-rate[/channels]', got '{Truncate(rest)}'";
            }

            int? channels = null;
            if (encoding.Length == 3)
            {
                if (!int.TryParse(encoding[2], NumberStyles.None, CultureInfo.InvariantCulture, out int parsedChannels))
                {
                    return $"bad channel count in a=rtpmap:{pt}";
                }

                channels = parsedChannels;
            }

            int index = m.Codecs.FindIndex(c => c.PayloadType == pt);
            if (index < 0)
            {
                m.OtherAttributes.Add(new SdpAttribute("rtpmap", value));
                return null;
            }

            m.Codecs[index] = m.Codecs[index] with
            {
                Name = encoding[0],
                ClockRate = clockRate,
                Channels = channels,
                HasRtpmap = true,
            };
            return null;
        }

        private static string? ParseFmtp(MediaDescription m, string? value, string raw)
        {
            if (value is null)
            {
                return $"bad a=fmtp '{Truncate(raw)}'";
            }

            if (!TrySplitPayloadType(value, out int pt, out string parameters))
            {
                // Wildcards and non-numeric formats stay verbatim.
                m.OtherAttributes.Add(new SdpAttribute("fmtp", value));
                return null;
            }

            int index = m.Codecs.FindIndex(c => c.PayloadType == pt);
            if (index < 0)
            {
                m.OtherAttributes.Add(new SdpAttribute("fmtp", value));
                return null;
            }

            m.Codecs[index] = m.Codecs[index] with { Fmtp = parameters };
            return null;
        }

        private static string? ParseRtcpFeedback(MediaDescription m, string? value, string raw)
        {
            if (value is null)
            {
                return $"bad a=rtcp-fb '{Truncate(raw)}'";
            }

            int index = -1;
            if (TrySplitPayloadType(value, out int pt, out string feedback))
            {
                index = m.Codecs.FindIndex(c => c.PayloadType == pt);
            }

            if (index < 0 || feedback.Length == 0)
            {
                m.OtherAttributes.Add(new SdpAttribute("rtcp-fb", value));
                return null;
            }

            int space = feedback.IndexOf(' ');
            var entry =
                space < 0
                    ? new SdpRtcpFeedback(feedback)
                    : new SdpRtcpFeedback(feedback[..space], feedback[(space + 1)..]);
            m.Codecs[index] = m.Codecs[index] with { Feedback = [.. m.Codecs[index].Feedback, entry] };
            return null;
        }

        private static string? ParseExtmap(MediaDescription m, string? value)
        {
            string[] parts = value?.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries) ?? [];
            if (parts.Length < 2)
            {
                return $"a=extmap needs 'id[/direction] uri', got '{Truncate(value ?? string.Empty)}'";
            }

            string idText = parts[0];
            SdpDirection? direction = null;
            int slash = idText.IndexOf('/');
            if (slash >= 0)
            {
                if (!SdpEnumText.TryParseDirection(idText[(slash + 1)..], out SdpDirection parsed))
                {
                    return $"bad extmap direction in '{idText}'";
                }

                direction = parsed;
                idText = idText[..slash];
            }

            if (
                !int.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out int id) || id is < 1 or > 255
            )
            {
                return $"extmap id must be 1-255, got '{parts[0]}'";
            }

            m.HeaderExtensions.Add(new SdpHeaderExtension(id, parts[1], direction, parts.Length > 2 ? parts[2] : null));
            return null;
        }

        private static string? ParseSsrc(MediaDescription m, string? value)
        {
            int space = value?.IndexOf(' ') ?? -1;
            if (
                value is null
                || space < 0
                || !uint.TryParse(value[..space], NumberStyles.None, CultureInfo.InvariantCulture, out uint ssrc)
            )
            {
                return $"a=ssrc needs '<ssrc> <attribute>[:<value>]', got '{Truncate(value ?? string.Empty)}'";
            }

            string rest = value[(space + 1)..];
            int colon = rest.IndexOf(':');
            m.Ssrcs.Add(colon < 0 ? new SdpSsrc(ssrc, rest) : new SdpSsrc(ssrc, rest[..colon], rest[(colon + 1)..]));
            return null;
        }

        private static string? ParseSsrcGroup(MediaDescription m, string? value)
        {
            string[] parts = value?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
            if (parts.Length < 2)
            {
                return $"a=ssrc-group needs semantics and SSRCs, got '{Truncate(value ?? string.Empty)}'";
            }

            var ssrcs = new uint[parts.Length - 1];
            for (int i = 1; i < parts.Length; i++)
            {
                if (!uint.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out ssrcs[i - 1]))
                {
                    return $"bad SSRC '{parts[i]}' in a=ssrc-group";
                }
            }

            m.SsrcGroups.Add(new SdpSsrcGroup(parts[0], ssrcs));
            return null;
        }

        private static string? ParseRid(MediaDescription m, string? value)
        {
            string[] parts = value?.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries) ?? [];
            if (parts.Length < 2 || parts[1] is not ("send" or "recv"))
            {
                return $"a=rid needs '<id> send|recv [restrictions]', got '{Truncate(value ?? string.Empty)}'";
            }

            m.Rids.Add(
                new SdpRid(
                    parts[0],
                    parts[1] == "send" ? SdpRidDirection.Send : SdpRidDirection.Recv,
                    parts.Length > 2 ? parts[2] : null
                )
            );
            return null;
        }

        private static string? ParseFingerprint(string? value, out SdpFingerprint? fingerprint)
        {
            fingerprint = null;
            string[] parts = value?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
            if (parts.Length != 2)
            {
                return $"a=fingerprint needs 'hash-function fingerprint', got '{Truncate(value ?? string.Empty)}'";
            }

            fingerprint = new SdpFingerprint(parts[0], parts[1]);
            return fingerprint.TryGetDigest(out _)
                ? null
                : $"a=fingerprint value '{Truncate(parts[1])}' is not colon-separated hex";
        }

        private static (string Name, string? Value) Split(string attribute)
        {
            int colon = attribute.IndexOf(':');
            return colon < 0 ? (attribute, null) : (attribute[..colon], attribute[(colon + 1)..]);
        }

        private static bool TrySplitPayloadType(string? value, out int payloadType, out string rest)
        {
            payloadType = 0;
            rest = string.Empty;
            if (value is null)
            {
                return false;
            }

            int space = value.IndexOf(' ');
            string head = space < 0 ? value : value[..space];
            rest = space < 0 ? string.Empty : value[(space + 1)..];
            return int.TryParse(head, NumberStyles.None, CultureInfo.InvariantCulture, out payloadType)
                && payloadType <= 127;
        }

        private static bool TryParseInt(string? value, int max, out int result) =>
            int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result) && result <= max;

        private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "...";
    }
}
