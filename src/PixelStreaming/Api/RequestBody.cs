using System.Text;
using System.Text.Json;
using MobZ.PixelStreaming.Security;

namespace MobZ.PixelStreaming.Api;

/// <summary>
/// Strict reading of a JSON request body: an object with only the named fields, each of the expected kind.
/// Every problem becomes one readable sentence for a 400.
/// </summary>
internal sealed class RequestBody
{
    private readonly Dictionary<string, JsonElement> _fields = new(StringComparer.Ordinal);

    public string? Error { get; private set; }

    private RequestBody() { }

    public static RequestBody Parse(string? body, bool isBase64, bool required, params string[] allowed)
    {
        var result = new RequestBody();
        if (isBase64 && body is not null)
        {
            try
            {
                body = Encoding.UTF8.GetString(Convert.FromBase64String(body));
            }
            catch (FormatException)
            {
                result.Error = "body is not valid base64";
                return result;
            }
        }
        if (string.IsNullOrWhiteSpace(body))
        {
            if (required)
                result.Error = "a JSON object body is required";
            return result;
        }
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                result.Error = "body must be a JSON object";
                return result;
            }
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (Array.IndexOf(allowed, p.Name) < 0)
                {
                    result.Error = $"unknown field '{p.Name}' (allowed: {string.Join(", ", allowed)})";
                    return result;
                }
                result._fields[p.Name] = p.Value.Clone();
            }
        }
        catch (JsonException e)
        {
            result.Error = $"body is not valid JSON: {e.Message}";
        }
        return result;
    }

    public string? Id(string name)
    {
        if (Error is not null || !_fields.TryGetValue(name, out var v) || v.ValueKind == JsonValueKind.Null)
            return null;
        if (v.ValueKind != JsonValueKind.String || !Identifiers.IsValid(v.GetString()))
        {
            Error = $"'{name}' must be a string of 1-{Identifiers.MaxLength} letters, digits or -_.@|";
            return null;
        }
        return v.GetString();
    }

    public string? AbsoluteUrl(string name)
    {
        if (Error is not null || !_fields.TryGetValue(name, out var v) || v.ValueKind == JsonValueKind.Null)
            return null;
        if (v.ValueKind != JsonValueKind.String || !Uri.TryCreate(v.GetString(), UriKind.Absolute, out _))
        {
            Error = $"'{name}' must be an absolute URL";
            return null;
        }
        return v.GetString();
    }

    public JsonElement? Object(string name)
    {
        if (Error is not null || !_fields.TryGetValue(name, out var v) || v.ValueKind == JsonValueKind.Null)
            return null;
        if (v.ValueKind != JsonValueKind.Object)
        {
            Error = $"'{name}' must be a JSON object";
            return null;
        }
        return v;
    }

    public void ExactlyOne(string a, string b, bool hasA, bool hasB)
    {
        if (Error is null && hasA == hasB)
            Error = $"give exactly one of '{a}' or '{b}'";
    }
}
