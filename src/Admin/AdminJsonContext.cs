using System.Text.Json.Serialization;
using MobZ.PixelStreaming.Matching;
using MobZ.Signaling.Rooms.Admin;

namespace MobZ.Admin;

public sealed record RoomList(IReadOnlyList<RoomView> Rooms);

public sealed record MunitList(IReadOnlyList<MunitView> Munits);

public sealed record RoomClosed(string RoomId, int Removed);

public sealed record OrderSent(string MunitId, string Order);

public sealed record AdminError(string Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RoomList))]
[JsonSerializable(typeof(MunitList))]
[JsonSerializable(typeof(PsOverviewView))]
[JsonSerializable(typeof(RoomClosed))]
[JsonSerializable(typeof(OrderSent))]
[JsonSerializable(typeof(AdminError))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
