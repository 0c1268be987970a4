using Microsoft.Extensions.Logging;
using MobZ.PixelStreaming.Security;

namespace MobZ.PixelStreaming.Instances;

/// <summary>
/// Starts/stops instances through the configured provider and keeps the allow-list in step. Creating asks the
/// provider for an instance and records it as starting; every later look at a starting instance (the client
/// polling GET /api/instances/{id}) asks the provider again, so no process has to stay alive while an instance
/// boots (on AWS each call is a short Lambda invocation).
/// </summary>
public sealed class InstanceService(
    IInstanceProvider provider,
    InstanceRegistry registry,
    StreamerAllowList allowList,
    PixelStreamingOptions options,
    TimeProvider time,
    ILogger<InstanceService> logger
)
{
    /// <summary>Records the instance as starting, launches it, and looks once whether it is already
    /// reachable.</summary>
    public async Task<InstanceRecord> CreateAsync(string? requestedId, CancellationToken cancellationToken)
    {
        var instanceId = requestedId ?? "ps-" + Guid.NewGuid().ToString("N")[..12];
        var record = new InstanceRecord(
            instanceId,
            InstanceStatus.Starting,
            null,
            null,
            provider.Name,
            "",
            time.GetUtcNow()
        );
        if (!await registry.AddAsync(record))
            throw new InvalidOperationException($"instance {instanceId} already exists");

        string providerRef;
        try
        {
            providerRef = await provider.LaunchAsync(instanceId, cancellationToken);
        }
        catch
        {
            await registry.RemoveAsync(record);
            throw;
        }
        if (!await registry.SetProviderRefAsync(instanceId, providerRef))
        {
            // Deleted while launching: nobody would find this one again.
            await provider.StopAsync(instanceId, providerRef, CancellationToken.None);
            throw new InvalidOperationException($"instance {instanceId} was deleted while starting");
        }
        logger.LogInformation(
            "Instance {InstanceId} launched by {Provider} ({ProviderRef})",
            instanceId,
            provider.Name,
            providerRef
        );
        return await RefreshAsync(record with { ProviderRef = providerRef }, cancellationToken);
    }

    /// <summary>The instance as it is now: a starting one is probed first.</summary>
    public async Task<InstanceRecord?> GetAsync(string instanceId, CancellationToken cancellationToken = default) =>
        await registry.GetAsync(instanceId) is { } record ? await RefreshAsync(record, cancellationToken) : null;

    public async Task<IReadOnlyList<InstanceRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<InstanceRecord>();
        foreach (var record in await registry.ListAsync())
            list.Add(await RefreshAsync(record, cancellationToken));
        return list;
    }

    public async Task<bool> DeleteAsync(string instanceId, CancellationToken cancellationToken)
    {
        var record = await registry.GetAsync(instanceId);
        if (record is null)
            return false;
        if (record.ProviderRef.Length > 0)
            await provider.StopAsync(instanceId, record.ProviderRef, cancellationToken);
        await registry.RemoveAsync(record);
        // Several local instances share 127.0.0.1: keep the address while any instance still uses it.
        if (record.PublicIp is { } ip && (await registry.ListAsync()).All(r => r.PublicIp != ip))
            await allowList.RemoveAsync(ip);
        logger.LogInformation("Instance {InstanceId} stopped", instanceId);
        return true;
    }

    private async Task<InstanceRecord> RefreshAsync(InstanceRecord record, CancellationToken cancellationToken)
    {
        // A record without a reference is still being launched by the call that created it.
        if (record.Status != InstanceStatus.Starting || record.ProviderRef.Length == 0)
            return record;
        StartedInstance? started;
        try
        {
            started = await provider.ProbeAsync(record.InstanceId, record.ProviderRef, cancellationToken);
        }
        catch (InstanceProviderException e)
        {
            return await FailAsync(record, e.Message);
        }
        if (started is null)
        {
            return time.GetUtcNow() - record.CreatedAt > options.InstanceStartTimeout
                ? await FailAsync(record, $"no public address within {options.InstanceStartTimeout}")
                : record;
        }

        var ip = StreamerAllowList.Normalize(started.PublicIp)!;
        // The address is allowed before the record says running, so a streamer is never refused once a client sees it.
        await allowList.AddAsync(ip);
        if (!await registry.MarkRunningAsync(record.InstanceId, started with { PublicIp = ip }))
            return record;
        logger.LogInformation("Instance {InstanceId} running at {PublicIp}", record.InstanceId, ip);
        return record with { Status = InstanceStatus.Running, PublicIp = ip, WorkerUrl = started.WorkerUrl };
    }

    private async Task<InstanceRecord> FailAsync(InstanceRecord record, string error)
    {
        logger.LogWarning("Instance {InstanceId} failed to start: {Error}", record.InstanceId, error);
        try
        {
            // Never leave a task running that nobody will use.
            await provider.StopAsync(record.InstanceId, record.ProviderRef, CancellationToken.None);
        }
        catch (InstanceProviderException e)
        {
            logger.LogWarning(e, "Stopping failed instance {InstanceId} failed", record.InstanceId);
        }
        await registry.MarkFailedAsync(record.InstanceId, error);
        return record with { Status = InstanceStatus.Failed, Error = error };
    }
}
