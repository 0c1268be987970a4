using System.Text.Json.Serialization;

namespace MobZ.LocalStack.PixelStreaming;

/// <summary>What the local streamer page long-polls for: the project to show and commands to run.</summary>
public sealed record WorkerPageState(
    [property: JsonPropertyName("seq")] long Seq,
    [property: JsonPropertyName("playerId")] string? PlayerId,
    [property: JsonPropertyName("projectUrl")] string? ProjectUrl,
    [property: JsonPropertyName("render")] RenderCommand? Render
);

public sealed record RenderCommand(
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("durationMs")] int DurationMs
);

public sealed record SaveResult(
    [property: JsonPropertyName("saved")] bool Saved,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("projectUrl")] string? ProjectUrl,
    [property: JsonPropertyName("playerId")] string? PlayerId,
    [property: JsonPropertyName("savedAt")] DateTimeOffset SavedAt
);

public sealed record RenderJob(
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("path")] string? Path,
    [property: JsonPropertyName("bytes")] long Bytes
);

public sealed record WorkerAck(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("message")] string Message
);

[JsonSerializable(typeof(WorkerPageState))]
[JsonSerializable(typeof(SaveResult))]
[JsonSerializable(typeof(RenderJob))]
[JsonSerializable(typeof(WorkerAck))]
[JsonSerializable(typeof(MobZ.PixelStreaming.Workers.LoadProjectRequest))]
[JsonSerializable(typeof(MobZ.PixelStreaming.Workers.SaveProjectRequest))]
[JsonSerializable(typeof(MobZ.PixelStreaming.Workers.GenerateVideoRequest))]
[JsonSerializable(typeof(MobZ.PixelStreaming.Workers.DisconnectRequest))]
internal sealed partial class LocalWorkerJsonContext : JsonSerializerContext;
