using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MobZ.PixelStreaming.Protocol;

/// <summary>
/// How a player's or streamer's message is read: a JSON object with a string <c>type</c>, kept as a
/// <see cref="JsonObject"/> so relayed fields we do not model survive. Anything else is refused with one
/// reason; no body makes it throw, and nothing it accepts fails later when read or relayed.
/// </summary>
public static class InboundMessage
{
    public const string NotAnObject = "expected a JSON object with a string 'type'";

    // A repeated property name would make JsonObject throw on first access, and a string that is not valid Unicode
    // (a lone surrogate escape such as "\ud800") would throw when read or when the message is relayed: both are
    // refused here, as malformed, rather than turning into an internal error halfway through a relay.
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    public static bool TryParse(string body, out JsonObject message, out string type)
    {
        message = null!;
        type = null!;
        byte[] utf8 = Encoding.UTF8.GetBytes(body);
        JsonObject? parsed;
        try
        {
            if (!StringsAreText(utf8))
                return false;
            parsed = JsonNode.Parse(utf8, documentOptions: Strict) as JsonObject;
        }
        catch (JsonException)
        {
            return false;
        }
        if (parsed?["type"] is not JsonValue t || !t.TryGetValue<string>(out var s))
            return false;
        message = parsed;
        type = s;
        return true;
    }

    /// <summary>A string field, or null when it is missing or not a string.</summary>
    public static string? String(JsonObject message, string name) =>
        message[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>Whether every escaped string and property name decodes to valid UTF-16 (only escapes can make one that
    /// does not).</summary>
    private static bool StringsAreText(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
            {
                try
                {
                    _ = reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    return false;
                }
            }
        }
        return true;
    }
}
