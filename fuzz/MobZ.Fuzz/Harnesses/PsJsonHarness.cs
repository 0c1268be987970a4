using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MobZ.PixelStreaming.Protocol;
using static MobZ.Fuzz.FuzzInvariantException;

namespace MobZ.Fuzz.Harnesses;

/// <summary>
/// A Pixel Streaming player's or streamer's message through what <c>PixelStreamingHandler</c> and <c>Sessions</c> do
/// with it: <see cref="InboundMessage"/> parses it, the fields the handler reads are read, and it is relayed the
/// way a relay rewrites it (playerId stamped or removed, the object serialized again).
/// </summary>
internal static class PsJsonHarness
{
    public static void Run(byte[] input)
    {
        string body = Encoding.UTF8.GetString(input);
        if (!InboundMessage.TryParse(body, out JsonObject message, out string type))
            return;

        Check(type is not null, "a parsed message has a type");
        _ = InboundMessage.String(message, "streamerId");
        _ = InboundMessage.String(message, "id");
        _ = InboundMessage.String(message, "reason");
        string? playerId = InboundMessage.String(message, "playerId");

        // A ping's time is echoed as it came.
        var pong = new JsonObject { ["type"] = MessageTypes.Pong };
        if (message["time"] is { } time)
            pong["time"] = time.DeepClone();
        _ = JsonSerializer.SerializeToUtf8Bytes(pong, PsNodeJsonContext.Default.JsonObject);

        // Streamer to player: playerId removed; player to streamer: stamped.
        if (playerId is not null)
            message.Remove("playerId");
        byte[] toPlayer = JsonSerializer.SerializeToUtf8Bytes(message, PsNodeJsonContext.Default.JsonObject);
        message["playerId"] = "player-1";
        byte[] toStreamer = JsonSerializer.SerializeToUtf8Bytes(message, PsNodeJsonContext.Default.JsonObject);
        Check(
            InboundMessage.TryParse(Encoding.UTF8.GetString(toStreamer), out JsonObject relayed, out string relayedType)
                && relayedType == type,
            "a relayed message parses again with its type"
        );
        Check(
            InboundMessage.String(relayed, "playerId") == "player-1",
            "the relayed message carries the stamped playerId"
        );
        _ = toPlayer;
    }
}
