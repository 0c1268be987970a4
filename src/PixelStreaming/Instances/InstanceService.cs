using MobZ.PixelStreaming.Security;
using Microsoft.Extensions.Logging;

namespace MobZ.PixelStreaming.Instances;

/// <summary>Starts/stops instances through the configured provider and keeps the allow-list in step.</summary>
public sealed class InstanceService(IInstanceProvider provider, InstanceRegistry registry, StreamerAllowList allowList, TimeProvider time, ILogger<InstanceService> logger)
{
    public async Task<InstanceRecord> CreateAsync(string? requestedId, CancellationToken cancellationToken)
    {
        var instanceId = requestedId ?? "ps-" + Guid.NewGuid().ToString("N")[..12];
        if (await registry.GetAsync(instanceId) is not null) throw new InvalidOperationException($"instance {instanceId} already exists");
        var started = await provider.StartAsync(instanceId, cancellationToken);
        // The address is allowed before the record exists, so a fast streamer is never refused.
        await allowList.AddAsync(started.PublicIp);
        var record = new InstanceRecord(instanceId, StreamerAllowList.Normalize(started.PublicIp)!, started.WorkerUrl, provider.Name, started.ProviderRef, time.GetUtcNow());
        if (!await registry.AddAsync(record))
        {
            await provider.StopAsync(instanceId, started.ProviderRef, CancellationToken.None);
            throw new InvalidOperationException($"instance {instanceId} already exists");
        }
        logger.LogInformation("Instance {InstanceId} started by {Provider} at {PublicIp}", instanceId, provider.Name, record.PublicIp);
        return record;
    }

    public async Task<bool> DeleteAsync(string instanceId, CancellationToken cancellationToken)
    {
        var record = await registry.GetAsync(instanceId);
        if (record is null) return false;
        await provider.StopAsync(instanceId, record.ProviderRef, cancellationToken);
        await registry.RemoveAsync(record);
        // Several local instances share 127.0.0.1: keep the address while any instance still uses it.
        if ((await registry.ListAsync()).All(r => r.PublicIp != record.PublicIp)) await allowList.RemoveAsync(record.PublicIp);
        logger.LogInformation("Instance {InstanceId} stopped", instanceId);
        return true;
    }

    public Task<IReadOnlyList<InstanceRecord>> ListAsync() => registry.ListAsync();

    public Task<InstanceRecord?> GetAsync(string instanceId) => registry.GetAsync(instanceId);
}
