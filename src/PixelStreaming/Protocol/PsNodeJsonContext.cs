using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MobZ.PixelStreaming.Protocol;

/// <summary>Relayed messages are written as the JSON they arrived as (plus or minus playerId).</summary>
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class PsNodeJsonContext : JsonSerializerContext;
