using System.Text.Json;
using System.Text.Json.Serialization;

namespace MobZ.PixelStreaming.Workers;

// The wire format of the streaming worker (docs/streaming-worker.md): HTTP POST with a JSON body to
// {workerUrl}/{operation}. The worker runs next to each streamer and drives the Unreal instance.

public sealed record LoadProjectRequest(
    [property: JsonPropertyName("playerId")] string PlayerId,
    [property: JsonPropertyName("projectUrl")] string ProjectUrl
);

public sealed record SaveProjectRequest(
    [property: JsonPropertyName("playerId")] string? PlayerId,
    [property: JsonPropertyName("projectUrl")] string? ProjectUrl
);

public sealed record GenerateVideoRequest(
    [property: JsonPropertyName("playerId")] string? PlayerId,
    [property: JsonPropertyName("settings")] JsonElement? Settings
);

public sealed record DisconnectRequest(
    [property: JsonPropertyName("playerId")] string PlayerId,
    [property: JsonPropertyName("reason")] string Reason
);

/// <summary>A worker's answer passed back to the REST caller unchanged (status and JSON body).</summary>
public sealed record WorkerResponse(int StatusCode, string Body);

public static class WorkerOperations
{
    public const string LoadProject = "loadProject";
    public const string SaveProject = "saveProject";
    public const string GenerateVideo = "generateVideo";
    public const string Disconnect = "disconnect";
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LoadProjectRequest))]
[JsonSerializable(typeof(SaveProjectRequest))]
[JsonSerializable(typeof(GenerateVideoRequest))]
[JsonSerializable(typeof(DisconnectRequest))]
internal sealed partial class WorkerJsonContext : JsonSerializerContext;
