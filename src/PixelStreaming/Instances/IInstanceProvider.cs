namespace MobZ.PixelStreaming.Instances;

/// <summary>What the provider started: where it is reachable and how to stop it again.</summary>
public sealed record StartedInstance(string PublicIp, Uri WorkerUrl, string ProviderRef);

/// <summary>Starts and stops streaming instances (an Unreal streamer and its worker).</summary>
public interface IInstanceProvider
{
    /// <summary>"ecs" or "local"; recorded with each instance.</summary>
    string Name { get; }

    /// <summary>Starts an instance whose streamer registers with <paramref name="instanceId"/> as its id; returns once its public address is known.</summary>
    Task<StartedInstance> StartAsync(string instanceId, CancellationToken cancellationToken);

    Task StopAsync(string instanceId, string providerRef, CancellationToken cancellationToken);
}

/// <summary>The provider could not start or stop an instance; the message is safe to show to an API caller.</summary>
public sealed class InstanceProviderException(string message, Exception? inner = null) : Exception(message, inner);
