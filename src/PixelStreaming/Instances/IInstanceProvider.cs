namespace MobZ.PixelStreaming.Instances;

/// <summary>Where a started instance is reachable: the address its streamer connects from, and its worker.</summary>
public sealed record StartedInstance(string PublicIp, Uri WorkerUrl);

/// <summary>
/// Starts and stops streaming instances (an Unreal streamer and its worker). Starting is two steps, because an
/// instance can take minutes to get an address (a GPU host scaling out) while an API call must answer in
/// seconds: <see cref="LaunchAsync"/> asks for it, <see cref="ProbeAsync"/> is asked again until it is reachable.
/// </summary>
public interface IInstanceProvider
{
    /// <summary>The configured name ("ecs", the local stack's "local"); recorded with each instance.</summary>
    string Name { get; }

    /// <summary>Asks for an instance whose streamer registers with <paramref name="instanceId"/>; returns the
    /// provider's reference to it.</summary>
    Task<string> LaunchAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>Its address once known, null while it is still starting; throws <see cref="InstanceProviderException"/>
    /// if it failed.</summary>
    Task<StartedInstance?> ProbeAsync(string instanceId, string providerRef, CancellationToken cancellationToken);

    Task StopAsync(string instanceId, string providerRef, CancellationToken cancellationToken);
}

/// <summary>The provider could not start or stop an instance; the message is safe to show to an API caller.</summary>
public sealed class InstanceProviderException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>No provider is configured at all (a deployment decision, 503), rather than one that failed
    /// (502).</summary>
    public bool NotConfigured { get; init; }
}
