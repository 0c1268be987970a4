using System.Text.Json;
using System.Text.Json.Serialization;

namespace MobZ.PixelStreaming.Api;

public sealed record ApiError([property: JsonPropertyName("error")] string Error);

/// <summary>An instance as the API shows it; publicIp and workerUrl appear once it is running, error once it
/// failed.</summary>
public sealed record InstanceView(
    [property: JsonPropertyName("instanceId")] string InstanceId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("publicIp")] string? PublicIp,
    [property: JsonPropertyName("workerUrl")] string? WorkerUrl,
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("error")] string? Error
);

public sealed record InstanceList([property: JsonPropertyName("instances")] IReadOnlyList<InstanceView> Instances);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(InstanceView))]
[JsonSerializable(typeof(InstanceList))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
