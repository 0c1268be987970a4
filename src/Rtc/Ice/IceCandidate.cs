using System.Globalization;
using System.Text;

namespace MobZ.Rtc.Ice;

/// <summary>
/// One ICE candidate as carried in SDP <c>a=candidate</c> (RFC 8839 §5.1) and in trickled candidate strings:
/// <c>candidate:foundation component transport priority address port typ type [raddr a rport p] [tcptype t] *(name
/// value)</c>. The address stays a string because browsers send mDNS names (<c>uuid.local</c>).
/// </summary>
public sealed record IceCandidate
{
    public required string Foundation { get; init; }
    public int Component { get; init; } = 1;
    public string Transport { get; init; } = "udp";
    public uint Priority { get; init; }
    public required string Address { get; init; }
    public int Port { get; init; }
    public IceCandidateType Type { get; init; } = IceCandidateType.Host;
    public string? RelatedAddress { get; init; }
    public int? RelatedPort { get; init; }
    public string? TcpType { get; init; }

    /// <summary>Trailing name/value pairs such as generation, ufrag, network-id, network-cost, kept in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Extensions { get; init; } = [];

    /// <summary>The attribute value without "a=": <c>candidate:1 1 udp 2130706431 10.0.0.1 40000 typ
    /// host</c>.</summary>
    public string ToSdpValue()
    {
        var text = new StringBuilder(96);
        text.Append("candidate:")
            .Append(Foundation)
            .Append(' ')
            .Append(Component.ToString(CultureInfo.InvariantCulture))
            .Append(' ')
            .Append(Transport)
            .Append(' ')
            .Append(Priority.ToString(CultureInfo.InvariantCulture))
            .Append(' ')
            .Append(Address)
            .Append(' ')
            .Append(Port.ToString(CultureInfo.InvariantCulture))
            .Append(" typ ")
            .Append(IceCandidateTypes.ToSdp(Type));
        if (RelatedAddress is not null && RelatedPort is not null)
        {
            text.Append(" raddr ")
                .Append(RelatedAddress)
                .Append(" rport ")
                .Append(RelatedPort.Value.ToString(CultureInfo.InvariantCulture));
        }

        if (TcpType is not null)
        {
            text.Append(" tcptype ").Append(TcpType);
        }

        foreach (KeyValuePair<string, string> extension in Extensions)
        {
            text.Append(' ').Append(extension.Key).Append(' ').Append(extension.Value);
        }

        return text.ToString();
    }

    public override string ToString() => ToSdpValue();

    /// <summary>
    /// Parses a candidate with or without the "a=" and "candidate:" prefixes. Returns false with a reason for
    /// malformed text; never throws.
    /// </summary>
    public static bool TryParse(string? text, out IceCandidate? candidate, out string? error)
    {
        candidate = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "empty candidate";
            return false;
        }

        string value = text.Trim();
        if (value.StartsWith("a=", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        if (value.StartsWith("candidate:", StringComparison.OrdinalIgnoreCase))
        {
            value = value["candidate:".Length..];
        }

        string[] parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 8)
        {
            error = "candidate needs foundation, component, transport, priority, address, port, 'typ' and type";
            return false;
        }

        if (
            !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int component)
            || component is < 1 or > 256
        )
        {
            error = $"bad component id '{parts[1]}'";
            return false;
        }

        if (!uint.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out uint priority))
        {
            error = $"bad priority '{parts[3]}'";
            return false;
        }

        if (!int.TryParse(parts[5], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            error = $"bad port '{parts[5]}'";
            return false;
        }

        if (parts[6] != "typ" || !IceCandidateTypes.TryParse(parts[7], out IceCandidateType type))
        {
            error = $"bad candidate type near '{parts[6]} {parts[7]}'";
            return false;
        }

        string? relatedAddress = null;
        int? relatedPort = null;
        string? tcpType = null;
        var extensions = new List<KeyValuePair<string, string>>();
        for (int i = 8; i < parts.Length; i += 2)
        {
            if (i + 1 >= parts.Length)
            {
                error = $"attribute '{parts[i]}' has no value";
                return false;
            }

            switch (parts[i])
            {
                case "raddr":
                    relatedAddress = parts[i + 1];
                    break;
                case "rport"
                    when int.TryParse(parts[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int rport)
                        && rport <= 65535:
                    relatedPort = rport;
                    break;
                case "rport":
                    error = $"bad rport '{parts[i + 1]}'";
                    return false;
                case "tcptype":
                    tcpType = parts[i + 1];
                    break;
                default:
                    extensions.Add(new KeyValuePair<string, string>(parts[i], parts[i + 1]));
                    break;
            }
        }

        candidate = new IceCandidate
        {
            Foundation = parts[0],
            Component = component,
            Transport = parts[2].ToLowerInvariant(),
            Priority = priority,
            Address = parts[4],
            Port = port,
            Type = type,
            RelatedAddress = relatedAddress,
            RelatedPort = relatedPort,
            TcpType = tcpType,
            Extensions = extensions,
        };
        return true;
    }
}
