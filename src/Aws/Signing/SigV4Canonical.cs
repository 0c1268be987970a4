using System.Text;

namespace MobZ.Aws.Signing;

/// <summary>The canonical-request pieces of Signature Version 4, one function each.</summary>
public static class SigV4Canonical
{
    /// <summary>
    /// URI-encodes every byte of <paramref name="rawPath"/> except RFC 3986 unreserved characters and '/'.
    /// The input is the wire form, so an already-encoded "%3D" becomes "%253D": all services except S3 sign
    /// the path encoded twice, and API Gateway verifies it that way.
    /// </summary>
    public static string Uri(string rawPath, bool normalize = true)
    {
        var path = string.IsNullOrEmpty(rawPath) ? "/" : rawPath;
        if (normalize)
            path = NormalizePath(path);
        return Encode(path, keepSlash: true);
    }

    /// <summary>RFC 3986 remove_dot_segments plus collapsing empty segments, keeping a trailing slash.</summary>
    public static string NormalizePath(string path)
    {
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
                continue;
            if (segment == "..")
            {
                if (segments.Count > 0)
                    segments.RemoveAt(segments.Count - 1);
                continue;
            }
            segments.Add(segment);
        }
        if (segments.Count == 0)
            return "/";
        var joined = "/" + string.Join('/', segments);
        return path.EndsWith('/') ? joined + "/" : joined;
    }

    /// <summary>Parameters decoded, re-encoded strictly, sorted by name then value (ordinal), joined with
    /// '&amp;'.</summary>
    public static string Query(string rawQuery)
    {
        var query = rawQuery.StartsWith('?') ? rawQuery[1..] : rawQuery;
        if (query.Length == 0)
            return "";
        var pairs = new List<(string Name, string Value)>();
        foreach (var part in query.Split('&'))
        {
            if (part.Length == 0)
                continue;
            var eq = part.IndexOf('=');
            var name = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? "" : part[(eq + 1)..];
            pairs.Add((Encode(Decode(name), keepSlash: false), Encode(Decode(value), keepSlash: false)));
        }
        pairs.Sort(
            static (a, b) =>
            {
                var byName = string.CompareOrdinal(a.Name, b.Name);
                return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
            }
        );
        var sb = new StringBuilder();
        foreach (var (name, value) in pairs)
        {
            if (sb.Length > 0)
                sb.Append('&');
            sb.Append(name).Append('=').Append(value);
        }
        return sb.ToString();
    }

    /// <summary>
    /// Lowercase names sorted ordinally; values trimmed with inner whitespace runs (folded lines included)
    /// collapsed to one space; repeated names joined with ',' in the order given.
    /// </summary>
    public static (string CanonicalHeaders, string SignedHeaders) Headers(
        IEnumerable<KeyValuePair<string, string>> headers
    )
    {
        var byName = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            var key = name.Trim().ToLowerInvariant();
            if (!byName.TryGetValue(key, out var values))
                byName[key] = values = [];
            values.Add(CollapseWhitespace(value));
        }
        var canonical = new StringBuilder();
        foreach (var (name, values) in byName)
            canonical.Append(name).Append(':').AppendJoin(',', values).Append('\n');
        return (canonical.ToString(), string.Join(';', byName.Keys));
    }

    public static string CollapseWhitespace(string value)
    {
        var sb = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var c in value.AsSpan().Trim())
        {
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                pendingSpace = true;
                continue;
            }
            if (pendingSpace)
                sb.Append(' ');
            pendingSpace = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Percent-encodes UTF-8 bytes outside A-Z a-z 0-9 - _ . ~ (and '/' when asked), uppercase hex.</summary>
    public static string Encode(string value, bool keepSlash)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var sb = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (IsUnreserved(b) || (keepSlash && b == (byte)'/'))
                sb.Append((char)b);
            else
                sb.Append('%').Append(HexUpper[b >> 4]).Append(HexUpper[b & 0xF]);
        }
        return sb.ToString();
    }

    private static string Decode(string value) => value.Contains('%') ? System.Uri.UnescapeDataString(value) : value;

    private static bool IsUnreserved(byte b) =>
        b
            is >= (byte)'A'
                and <= (byte)'Z'
                or >= (byte)'a'
                and <= (byte)'z'
                or >= (byte)'0'
                and <= (byte)'9'
                or (byte)'-'
                or (byte)'_'
                or (byte)'.'
                or (byte)'~';

    private const string HexUpper = "0123456789ABCDEF";
}
