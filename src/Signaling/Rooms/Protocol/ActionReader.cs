using System.Text.Json;

namespace MobZ.Signaling.Rooms.Protocol;

/// <summary>
/// Finds the top-level "action" string without building a DOM, the way API Gateway's
/// route selection expression ($request.body.action) does, so the full parse happens once, into the
/// record the action names.
/// </summary>
public static class ActionReader
{
    public enum Result
    {
        Found,

        /// <summary>Valid JSON object without a string "action".</summary>
        Missing,

        /// <summary>Not a JSON object, or not well-formed.</summary>
        Malformed,
    }

    /// <param name="requestId">the top-level string "requestId" when present, so even a rejected message's Error can
    /// carry it.</param>
    public static Result TryRead(ReadOnlySpan<byte> utf8Json, out string? action, out string? requestId)
    {
        action = null;
        requestId = null;
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 32 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return Result.Malformed;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject)
                    break;
                // Always a property name at depth 1.
                bool isAction = reader.ValueTextEquals("action"u8);
                bool isRequestId = !isAction && reader.ValueTextEquals("requestId"u8);
                reader.Read();
                if (isAction && action is null && reader.TokenType == JsonTokenType.String)
                    action = reader.GetString();
                else if (isRequestId && requestId is null && reader.TokenType == JsonTokenType.String)
                    requestId = reader.GetString();
                else
                    reader.Skip();
            }
            // Trailing garbage after the object makes the message malformed as a whole.
            if (reader.Read())
                return Result.Malformed;
        }
        catch (JsonException)
        {
            return Result.Malformed;
        }
        catch (InvalidOperationException)
        {
            // GetString refuses a string that is not valid Unicode: invalid UTF-8 bytes or a lone surrogate escape
            // ("\ud800"). Well-formed JSON syntax, but not text a room id or action can be made of.
            return Result.Malformed;
        }
        return action is null ? Result.Missing : Result.Found;
    }
}
