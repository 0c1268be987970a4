using System.Globalization;
using System.Text;

namespace MobZ.Rtc.Sdp;

/// <summary>
/// Writes a <see cref="SessionDescription"/> in the attribute order Chromium uses (JSEP §5.2), CRLF line ends.
/// Attributes kept verbatim by the parser are written after the typed ones of the same level.
/// </summary>
public static class SdpWriter
{
    public static string Write(SessionDescription s)
    {
        var text = new StringBuilder(4096);
        Line(text, "v=0");
        Line(text, "o=" + s.Origin);
        Line(text, "s=" + s.SessionName);
        foreach (string line in s.OtherLines.Where(l => l[0] is 'i' or 'u' or 'e' or 'p'))
        {
            Line(text, line);
        }

        if (s.Connection is not null)
        {
            Line(text, "c=" + s.Connection);
        }

        foreach (string bandwidth in s.Bandwidths)
        {
            Line(text, "b=" + bandwidth);
        }

        Line(text, "t=" + s.Timing);
        foreach (string line in s.OtherLines.Where(l => l[0] is not ('i' or 'u' or 'e' or 'p')))
        {
            Line(text, line);
        }

        foreach (SdpGroup group in s.Groups)
        {
            Line(text, "a=group:" + group);
        }

        if (s.IceLite)
        {
            Line(text, "a=ice-lite");
        }

        WriteIceAndDtls(text, s.IceUfrag, s.IcePwd, s.IceOptions, s.Fingerprint, s.Setup);
        if (s.ExtmapAllowMixed)
        {
            Line(text, "a=extmap-allow-mixed");
        }

        if (s.MsidSemantic is not null)
        {
            Line(text, "a=msid-semantic:" + s.MsidSemantic);
        }

        if (s.Direction is { } direction)
        {
            Line(text, "a=" + direction.ToSdp());
        }

        foreach (SdpAttribute attribute in s.OtherAttributes)
        {
            Line(text, attribute.ToString());
        }

        foreach (MediaDescription m in s.Media)
        {
            WriteMedia(text, m);
        }

        return text.ToString();
    }

    private static void WriteMedia(StringBuilder text, MediaDescription m)
    {
        string port = m.PortCount is { } count
            ? $"{m.Port.ToString(CultureInfo.InvariantCulture)}/{count.ToString(CultureInfo.InvariantCulture)}"
            : m.Port.ToString(CultureInfo.InvariantCulture);
        IEnumerable<string> formats = m.IsRtp
            ? m.Codecs.Select(c => c.PayloadType.ToString(CultureInfo.InvariantCulture))
            : m.Formats;
        Line(text, $"m={m.Kind} {port} {m.Protocol} {string.Join(' ', formats)}");
        foreach (string line in m.OtherLines.Where(l => l[0] == 'i'))
        {
            Line(text, line);
        }

        if (m.Connection is not null)
        {
            Line(text, "c=" + m.Connection);
        }

        foreach (string bandwidth in m.Bandwidths)
        {
            Line(text, "b=" + bandwidth);
        }

        foreach (string line in m.OtherLines.Where(l => l[0] != 'i'))
        {
            Line(text, line);
        }

        if (m.Rtcp is not null)
        {
            Line(text, "a=rtcp:" + m.Rtcp);
        }

        foreach (Ice.IceCandidate candidate in m.Candidates)
        {
            Line(text, "a=" + candidate.ToSdpValue());
        }

        if (m.EndOfCandidates)
        {
            Line(text, "a=end-of-candidates");
        }

        WriteIceAndDtls(text, m.IceUfrag, m.IcePwd, m.IceOptions, m.Fingerprint, m.Setup);
        if (m.Mid is not null)
        {
            Line(text, "a=mid:" + m.Mid);
        }

        if (m.BundleOnly)
        {
            Line(text, "a=bundle-only");
        }

        foreach (SdpHeaderExtension extension in m.HeaderExtensions)
        {
            Line(text, "a=extmap:" + extension);
        }

        if (m.Direction is { } direction)
        {
            Line(text, "a=" + direction.ToSdp());
        }

        foreach (SdpMsid msid in m.Msids)
        {
            Line(text, "a=msid:" + msid);
        }

        if (m.RtcpMux)
        {
            Line(text, "a=rtcp-mux");
        }

        if (m.RtcpMuxOnly)
        {
            Line(text, "a=rtcp-mux-only");
        }

        if (m.RtcpReducedSize)
        {
            Line(text, "a=rtcp-rsize");
        }

        foreach (SdpCodec codec in m.Codecs)
        {
            string pt = codec.PayloadType.ToString(CultureInfo.InvariantCulture);
            if (codec.HasRtpmap)
            {
                Line(text, $"a=rtpmap:{pt} {codec.RtpmapValue}");
            }

            foreach (SdpRtcpFeedback feedback in codec.Feedback)
            {
                Line(text, $"a=rtcp-fb:{pt} {feedback}");
            }

            if (codec.Fmtp is not null)
            {
                Line(text, $"a=fmtp:{pt} {codec.Fmtp}");
            }
        }

        foreach (SdpSsrcGroup group in m.SsrcGroups)
        {
            Line(text, "a=ssrc-group:" + group);
        }

        foreach (SdpSsrc ssrc in m.Ssrcs)
        {
            Line(text, "a=ssrc:" + ssrc);
        }

        foreach (SdpRid rid in m.Rids)
        {
            Line(text, "a=rid:" + rid);
        }

        if (m.Simulcast is not null)
        {
            Line(text, "a=simulcast:" + m.Simulcast);
        }

        if (m.SctpPort is { } sctpPort)
        {
            Line(text, "a=sctp-port:" + sctpPort.ToString(CultureInfo.InvariantCulture));
        }

        if (m.SctpMap is not null)
        {
            Line(text, "a=sctpmap:" + m.SctpMap);
        }

        if (m.MaxMessageSize is { } maxMessageSize)
        {
            Line(text, "a=max-message-size:" + maxMessageSize.ToString(CultureInfo.InvariantCulture));
        }

        foreach (SdpAttribute attribute in m.OtherAttributes)
        {
            Line(text, attribute.ToString());
        }
    }

    private static void WriteIceAndDtls(
        StringBuilder text,
        string? ufrag,
        string? pwd,
        List<string> options,
        SdpFingerprint? fingerprint,
        SdpSetupRole? setup
    )
    {
        if (ufrag is not null)
        {
            Line(text, "a=ice-ufrag:" + ufrag);
        }

        if (pwd is not null)
        {
            Line(text, "a=ice-pwd:" + pwd);
        }

        if (options.Count > 0)
        {
            Line(text, "a=ice-options:" + string.Join(' ', options));
        }

        if (fingerprint is not null)
        {
            Line(text, "a=fingerprint:" + fingerprint);
        }

        if (setup is { } role)
        {
            Line(text, "a=setup:" + role.ToSdp());
        }
    }

    private static void Line(StringBuilder text, string line) => text.Append(line).Append("\r\n");
}
