using System.Text.Json;
using System.Text.Json.Nodes;

namespace MobZ.PixelStreaming.Protocol;

/// <summary>
/// How a player's or streamer's message is read: a JSON object with a string <c>type</c>, kept as a
/// <see cref="JsonObject"/> so relayed fields we do not model survive. Anything else is refused with one
/// reason; no body makes it throw.
/// </summary>
public static class InboundMessage
{
    public const string NotAnObject = "expected a JSON object with a string 'type'";

    public static bool TryParse(string body, out JsonObject message, out string type)
    {
        message = null!;
        type = null!;
        JsonObject? parsed;
        try
        {
            parsed = JsonNode.Parse(body) as JsonObject;
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
}
