namespace MobZ.PixelStreaming.Security;

/// <summary>Ids that become part of store keys and JSON: printable, bounded, no separators that could forge a
/// key.</summary>
public static class Identifiers
{
    public const int MaxLength = 128;

    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength)
            return false;
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@' or '|'))
                return false;
        }

        return true;
    }
}
