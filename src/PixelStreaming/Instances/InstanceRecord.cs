namespace MobZ.PixelStreaming.Instances;

/// <summary>Where an instance is in its life: asked for, reachable, or given up on.</summary>
public enum InstanceStatus
{
    Starting,
    Running,
    Failed,
}

/// <summary>
/// A streaming instance (an Unreal streamer plus its worker) started through the REST API. The address and the
/// worker are known once it is <see cref="InstanceStatus.Running"/>; a failed one carries why.
/// </summary>
public sealed record InstanceRecord(
    string InstanceId,
    InstanceStatus Status,
    string? PublicIp,
    Uri? WorkerUrl,
    string Provider,
    string ProviderRef,
    DateTimeOffset CreatedAt,
    string? Error = null
)
{
    public static InstanceRecord Running(
        string instanceId,
        string publicIp,
        Uri workerUrl,
        string provider,
        string providerRef,
        DateTimeOffset createdAt
    ) => new(instanceId, InstanceStatus.Running, publicIp, workerUrl, provider, providerRef, createdAt);
}
