namespace MobZ.Rtc.Sdp;

/// <summary>RFC 8285 §6: an answer lists the offered extensions it will use, with the offerer's ids.</summary>
public static class HeaderExtensionNegotiation
{
    public static List<SdpHeaderExtension> Intersect(
        IReadOnlyList<SdpHeaderExtension> offered,
        IEnumerable<string> supportedUris
    )
    {
        var supported = new HashSet<string>(supportedUris, StringComparer.Ordinal);
        var result = new List<SdpHeaderExtension>();
        foreach (SdpHeaderExtension extension in offered)
        {
            if (supported.Contains(extension.Uri) && result.TrueForAll(e => e.Uri != extension.Uri))
            {
                // A direction in the offer is seen from the offerer; the answer mirrors it.
                result.Add(extension with { Direction = extension.Direction?.Reverse(), Attributes = null });
            }
        }

        return result;
    }

    /// <summary>
    /// Checks that within one BUNDLE group each id means one URI and each URI one id (Chromium rejects offers that
    /// break this); returns the first conflict or null.
    /// </summary>
    public static string? FindBundleConflict(IEnumerable<MediaDescription> bundled)
    {
        var uriById = new Dictionary<int, string>();
        var idByUri = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (SdpHeaderExtension extension in bundled.SelectMany(m => m.HeaderExtensions))
        {
            if (uriById.TryGetValue(extension.Id, out string? uri) && uri != extension.Uri)
            {
                return $"extmap id {extension.Id} is both {uri} and {extension.Uri}";
            }

            if (idByUri.TryGetValue(extension.Uri, out int id) && id != extension.Id)
            {
                return $"{extension.Uri} has ids {id} and {extension.Id}";
            }

            uriById[extension.Id] = extension.Uri;
            idByUri[extension.Uri] = extension.Id;
        }

        return null;
    }
}
