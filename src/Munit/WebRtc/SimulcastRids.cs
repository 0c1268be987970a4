namespace MobZ.Munit.WebRtc;

/// <summary>
/// Orders a publisher's simulcast rids from lowest to highest quality. Browsers send them in whatever order
/// the application listed its encodings, so the common naming schemes are recognised — q/h/f (quarter, half,
/// full) and l/m/h (low, mid, high) — and anything else keeps the SDP's order (lowest first).
/// </summary>
public static class SimulcastRids
{
    public static IReadOnlyList<string> OrderLowToHigh(IReadOnlyList<string> rids)
    {
        bool lmh = rids.Any(r => Is(r, "l", "low", "m", "mid", "medium"));
        int? Rank(string rid)
        {
            if (Is(rid, "q", "quarter", "l", "low", "lo"))
                return 0;
            if (Is(rid, "m", "mid", "medium"))
                return 1;
            if (Is(rid, "h", "half"))
                return lmh ? 2 : 1;
            if (Is(rid, "f", "full", "hi", "high"))
                return 2;
            return null;
        }
        if (rids.Any(r => Rank(r) is null))
            return rids;
        return rids.OrderBy(r => Rank(r)).ToArray();
    }

    /// <summary>A viewer's layer request: a rid of this producer, or a spatial index ("0" = lowest).</summary>
    public static int? ParseLayer(string? layer, IReadOnlyList<string?> ridsLowToHigh)
    {
        if (string.IsNullOrWhiteSpace(layer))
            return null;
        for (int i = 0; i < ridsLowToHigh.Count; i++)
        {
            if (string.Equals(ridsLowToHigh[i], layer, StringComparison.Ordinal))
                return i;
        }

        if (
            int.TryParse(
                layer,
                System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture,
                out int index
            )
        )
        {
            return Math.Clamp(index, 0, Math.Max(0, ridsLowToHigh.Count - 1));
        }
        // Names of the other schemes, for a viewer that does not know the publisher's rids.
        return layer.ToLowerInvariant() switch
        {
            "low" or "q" or "l" => 0,
            "mid" or "medium" or "m" => Math.Min(1, ridsLowToHigh.Count - 1),
            "high" or "f" => ridsLowToHigh.Count - 1,
            _ => null,
        };
    }

    private static bool Is(string rid, params string[] names) => names.Contains(rid.ToLowerInvariant());
}
