using System.Text.Json.Serialization;
using MobZ.PixelStreaming.Matching;
using MobZ.Signaling.Rooms.Admin;

namespace MobZ.Admin;

public sealed record RoomList(IReadOnlyList<RoomView> Rooms);

public sealed record MunitList(IReadOnlyList<MunitView> Munits);

public sealed record RoomClosed(string RoomId, int Removed);

public sealed record OrderSent(string MunitId, string Order);

/// <summary>Same shape as the Pixel Streaming API's errors (the OpenAPI document's Error schema).</summary>
public sealed record AdminError(string Error);

/// <summary>What the admin page needs before it has a key; <paramref name="DevelopmentKey"/> is null outside
/// development mode.</summary>
public sealed record KeyHint(string Header, string? DevelopmentKey);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RoomList))]
[JsonSerializable(typeof(MunitList))]
[JsonSerializable(typeof(PsOverviewView))]
[JsonSerializable(typeof(RoomClosed))]
[JsonSerializable(typeof(OrderSent))]
[JsonSerializable(typeof(AdminError))]
[JsonSerializable(typeof(KeyHint))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
