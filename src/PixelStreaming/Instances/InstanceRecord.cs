namespace MobZ.PixelStreaming.Instances;

/// <summary>A streaming instance (an Unreal streamer plus its worker) started through the REST API.</summary>
public sealed record InstanceRecord(
    string InstanceId,
    string PublicIp,
    Uri WorkerUrl,
    string Provider,
    string ProviderRef,
    DateTimeOffset CreatedAt);
