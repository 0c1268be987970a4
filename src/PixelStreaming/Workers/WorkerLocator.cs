using MobZ.PixelStreaming.Instances;
using MobZ.PixelStreaming.Matching;
using MobZ.State;

namespace MobZ.PixelStreaming.Workers;

/// <summary>
/// Finds the worker beside a streamer: the instance whose id is the streamer id (providers launch streamers
/// with their instance id), else the instance that owns the streamer's source address.
/// </summary>
public sealed class WorkerLocator(IStateStore store, PsKeys keys, InstanceRegistry instances)
{
    public const string InstanceField = "instance";

    /// <summary>Called when a streamer registers: remembers which instance it runs on.</summary>
    public async Task<string?> BindStreamerAsync(string streamerId, string? sourceIp)
    {
        string? instanceId = null;
        if (await store.ExistsAsync(keys.Instance(streamerId)))
        {
            instanceId = streamerId;
        }
        else if (
            sourceIp is not null
            && await instances.FindByIpAsync(sourceIp) is { } byIp
            && !await IsSharedAddressAsync(sourceIp)
        )
        {
            instanceId = byIp;
        }

        if (instanceId is not null)
            await store.HashSetAsync(keys.Streamer(streamerId), InstanceField, instanceId);
        return instanceId;
    }

    public async Task<InstanceRecord?> InstanceOfStreamerAsync(string streamerId) =>
        await store.HashGetAsync(keys.Streamer(streamerId), InstanceField) is { } id
            ? await instances.GetAsync(id)
            : null;

    public async Task<Uri?> WorkerOfStreamerAsync(string streamerId) =>
        (await InstanceOfStreamerAsync(streamerId))?.WorkerUrl;

    /// <summary>The worker of an instance a state transition already named (null when none).</summary>
    public async Task<Uri?> WorkerOfInstanceAsync(string? instanceId) =>
        instanceId is null ? null : (await instances.GetAsync(instanceId))?.WorkerUrl;

    // Local instances all live on 127.0.0.1: an address there says nothing about which instance it is.
    private static Task<bool> IsSharedAddressAsync(string ip) =>
        Task.FromResult(System.Net.IPAddress.TryParse(ip, out var a) && System.Net.IPAddress.IsLoopback(a));
}
