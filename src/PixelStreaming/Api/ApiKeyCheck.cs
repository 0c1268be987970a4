using System.Security.Cryptography;
using System.Text;

namespace MobZ.PixelStreaming.Api;

/// <summary>The REST APIs' key check (Pixel Streaming and admin): fails closed when no key is configured.</summary>
public static class ApiKeyCheck
{
    public static bool IsValid(RestApiOptions api, IReadOnlyDictionary<string, string>? headers)
    {
        var expected = api.ApiKey;
        if (string.IsNullOrEmpty(expected) || headers is null)
            return false;
        string? given = null;
        foreach (var (name, value) in headers)
        {
            if (string.Equals(name, api.ApiKeyHeader, StringComparison.OrdinalIgnoreCase))
                given = value;
        }

        return given is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
    }
}
