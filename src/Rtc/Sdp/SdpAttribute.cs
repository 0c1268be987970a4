namespace MobZ.Rtc.Sdp;

/// <summary>An attribute the typed model has no property for, kept verbatim so it survives a parse/write round
/// trip.</summary>
public sealed record SdpAttribute(string Name, string? Value = null)
{
    public override string ToString() => Value is null ? $"a={Name}" : $"a={Name}:{Value}";
}

/// <summary>o= line (RFC 8866 §5.2). The session id is text because browsers use 64-bit decimal values.</summary>
public sealed record SdpOrigin(
    string Username = "-",
    string SessionId = "0",
    ulong SessionVersion = 0,
    string NetworkType = "IN",
    string AddressType = "IP4",
    string Address = "127.0.0.1"
)
{
    public override string ToString() =>
        $"{Username} {SessionId} {SessionVersion} {NetworkType} {AddressType} {Address}";
}

/// <summary>c= line (RFC 8866 §5.7).</summary>
public sealed record SdpConnection(string NetworkType = "IN", string AddressType = "IP4", string Address = "0.0.0.0")
{
    public override string ToString() => $"{NetworkType} {AddressType} {Address}";
}

/// <summary>a=group (RFC 5888), e.g. BUNDLE (RFC 9143) with its mids; the first is the offerer's tagged
/// m-section.</summary>
public sealed record SdpGroup(string Semantics, IReadOnlyList<string> Mids)
{
    public const string Bundle = "BUNDLE";

    public override string ToString() => Mids.Count == 0 ? Semantics : $"{Semantics} {string.Join(' ', Mids)}";
}

/// <summary>a=fingerprint (RFC 8122): hash function and colon-separated upper-case hex of the DTLS certificate
/// digest.</summary>
public sealed record SdpFingerprint(string Algorithm, string Value)
{
    public override string ToString() => $"{Algorithm} {Value}";

    /// <summary>Fingerprint of a DER-encoded certificate with sha-256 (what browsers send and expect).</summary>
    public static SdpFingerprint Sha256(ReadOnlySpan<byte> certificateDer) =>
        new(
            "sha-256",
            Convert
                .ToHexString(System.Security.Cryptography.SHA256.HashData(certificateDer))
                .Chunk(2)
                .Select(pair => new string(pair))
                .Aggregate((a, b) => a + ":" + b)
        );

    /// <summary>Hex digest bytes; false when the value is not colon-separated hex.</summary>
    public bool TryGetDigest(out byte[] digest)
    {
        digest = [];
        string hex = Value.Replace(":", string.Empty, StringComparison.Ordinal);
        if (hex.Length == 0 || hex.Length % 2 != 0)
        {
            return false;
        }

        try
        {
            digest = Convert.FromHexString(hex);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>a=msid (RFC 8830): stream id and optional track id.</summary>
public sealed record SdpMsid(string StreamId, string? TrackId = null)
{
    public override string ToString() => TrackId is null ? StreamId : $"{StreamId} {TrackId}";
}

/// <summary>a=ssrc:&lt;ssrc&gt; &lt;attribute&gt;[:&lt;value&gt;] (RFC 5576), e.g. cname.</summary>
public sealed record SdpSsrc(uint Ssrc, string Attribute, string? Value = null)
{
    public override string ToString() => Value is null ? $"{Ssrc} {Attribute}" : $"{Ssrc} {Attribute}:{Value}";
}

/// <summary>a=ssrc-group (RFC 5576): FID pairs media and RTX, SIM lists simulcast layers.</summary>
public sealed record SdpSsrcGroup(string Semantics, IReadOnlyList<uint> Ssrcs)
{
    public const string Fid = "FID";
    public const string Sim = "SIM";

    public override string ToString() => $"{Semantics} {string.Join(' ', Ssrcs)}";
}

/// <summary>a=extmap (RFC 8285): local id, optional direction, URI and extension attributes.</summary>
public sealed record SdpHeaderExtension(int Id, string Uri, SdpDirection? Direction = null, string? Attributes = null)
{
    public override string ToString()
    {
        string head = Direction is { } direction
            ? $"{Id}/{direction.ToSdp()}"
            : Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Attributes is null ? $"{head} {Uri}" : $"{head} {Uri} {Attributes}";
    }
}
