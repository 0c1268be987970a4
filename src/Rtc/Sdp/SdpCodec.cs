using System.Globalization;

namespace MobZ.Rtc.Sdp;

/// <summary>a=rtcp-fb value (RFC 4585 §4.2): "nack", "nack pli", "ccm fir", "transport-cc", "goog-remb".</summary>
public sealed record SdpRtcpFeedback(string Type, string? Parameter = null)
{
    public override string ToString() => Parameter is null ? Type : $"{Type} {Parameter}";
}

/// <summary>
/// One RTP payload format of an m-section: its a=rtpmap, a=fmtp and a=rtcp-fb lines together.
/// </summary>
public sealed record SdpCodec
{
    public required int PayloadType { get; init; }

    /// <summary>Encoding name as written (opus, VP8, H264, rtx, red, ulpfec...).</summary>
    public required string Name { get; init; }

    public int ClockRate { get; init; }

    /// <summary>Audio channels from rtpmap (opus/48000/2); null when omitted.</summary>
    public int? Channels { get; init; }

    /// <summary>The a=fmtp value verbatim (e.g. "minptime=10;useinbandfec=1"); null when absent.</summary>
    public string? Fmtp { get; init; }

    public IReadOnlyList<SdpRtcpFeedback> Feedback { get; init; } = [];

    /// <summary>False for a static payload type listed on the m-line without an a=rtpmap (kept that way on
    /// write).</summary>
    public bool HasRtpmap { get; init; } = true;

    public bool IsRtx => Name.Equals("rtx", StringComparison.OrdinalIgnoreCase);

    /// <summary>Redundancy and FEC formats carry other codecs and are not negotiated as media codecs
    /// themselves.</summary>
    public bool IsResilience =>
        Name.Equals("red", StringComparison.OrdinalIgnoreCase)
        || Name.Equals("ulpfec", StringComparison.OrdinalIgnoreCase)
        || Name.Equals("flexfec-03", StringComparison.OrdinalIgnoreCase);

    /// <summary>The payload type an RTX format repairs (fmtp apt=), or null.</summary>
    public int? AssociatedPayloadType =>
        TryGetParameter("apt", out string? apt)
        && int.TryParse(apt, NumberStyles.None, CultureInfo.InvariantCulture, out int pt)
            ? pt
            : null;

    /// <summary>"opus/48000/2" style rtpmap value after the payload type.</summary>
    public string RtpmapValue =>
        Channels is { } channels
            ? $"{Name}/{ClockRate.ToString(CultureInfo.InvariantCulture)}/{channels.ToString(CultureInfo.InvariantCulture)}"
            : $"{Name}/{ClockRate.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Reads one key=value pair of the fmtp (keys case-insensitive, as RFC 6184 and RFC 7587 treat
    /// them).</summary>
    public bool TryGetParameter(string name, out string? value)
    {
        value = null;
        if (Fmtp is null)
        {
            return false;
        }

        foreach (string part in Fmtp.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = part.IndexOf('=');
            string key = equals < 0 ? part : part[..equals];
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                value = equals < 0 ? string.Empty : part[(equals + 1)..];
                return true;
            }
        }

        return false;
    }

    public bool HasFeedback(string type, string? parameter = null) =>
        Feedback.Any(f =>
            f.Type.Equals(type, StringComparison.OrdinalIgnoreCase)
            && string.Equals(f.Parameter, parameter, StringComparison.OrdinalIgnoreCase)
        );

    /// <summary>Joins parameters into an fmtp value in the given order.</summary>
    public static string FormatParameters(params (string Key, string Value)[] parameters) =>
        string.Join(';', parameters.Select(p => $"{p.Key}={p.Value}"));

    /// <summary>Static audio payload types of RFC 3551 that may appear without a=rtpmap.</summary>
    internal static SdpCodec? Static(int payloadType) =>
        payloadType switch
        {
            0 => new SdpCodec
            {
                PayloadType = 0,
                Name = "PCMU",
                ClockRate = 8000,
                HasRtpmap = false,
            },
            8 => new SdpCodec
            {
                PayloadType = 8,
                Name = "PCMA",
                ClockRate = 8000,
                HasRtpmap = false,
            },
            9 => new SdpCodec
            {
                PayloadType = 9,
                Name = "G722",
                ClockRate = 8000,
                HasRtpmap = false,
            },
            13 => new SdpCodec
            {
                PayloadType = 13,
                Name = "CN",
                ClockRate = 8000,
                HasRtpmap = false,
            },
            _ => null,
        };
}
