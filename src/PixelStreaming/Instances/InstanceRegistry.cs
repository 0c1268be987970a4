using System.Globalization;
using MobZ.PixelStreaming.Matching;
using MobZ.State;

namespace MobZ.PixelStreaming.Instances;

/// <summary>Instances in the store: by id, and by public address (how a connecting streamer is tied to its
/// worker).</summary>
public sealed class InstanceRegistry(IStateStore store, PsKeys keys)
{
    private const string Status = "status",
        Ip = "ip",
        Worker = "worker",
        Provider = "provider",
        Ref = "ref",
        Created = "created",
        Error = "error";

    /// <summary>Adds a record in any state; false if the id is taken. A running one is indexed by its
    /// address.</summary>
    public Task<bool> AddAsync(InstanceRecord r)
    {
        var key = keys.Instance(r.InstanceId);
        var tx = store
            .CreateTransaction()
            .When(new StateCondition.KeyNotExists(key))
            .HashSet(key, Status, StatusText(r.Status))
            .HashSet(key, Provider, r.Provider)
            .HashSet(key, Ref, r.ProviderRef)
            .HashSet(key, Created, r.CreatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture))
            .SetAdd(keys.Instances, r.InstanceId);
        if (r is { Status: InstanceStatus.Running, PublicIp: { } ip, WorkerUrl: { } worker })
        {
            tx.HashSet(key, Ip, ip)
                .HashSet(key, Worker, worker.AbsoluteUri)
                .SetString(keys.InstanceByIp(ip), r.InstanceId);
        }

        return tx.ExecuteAsync();
    }

    /// <summary>Records the provider's reference of a starting instance; false if it was deleted meanwhile.</summary>
    public Task<bool> SetProviderRefAsync(string instanceId, string providerRef) =>
        store
            .CreateTransaction()
            .When(new StateCondition.KeyExists(keys.Instance(instanceId)))
            .HashSet(keys.Instance(instanceId), Ref, providerRef)
            .ExecuteAsync();

    /// <summary>A starting instance became reachable; false if it was deleted meanwhile.</summary>
    public Task<bool> MarkRunningAsync(string instanceId, StartedInstance started) =>
        store
            .CreateTransaction()
            .When(new StateCondition.KeyExists(keys.Instance(instanceId)))
            .HashSet(keys.Instance(instanceId), Status, StatusText(InstanceStatus.Running))
            .HashSet(keys.Instance(instanceId), Ip, started.PublicIp)
            .HashSet(keys.Instance(instanceId), Worker, started.WorkerUrl.AbsoluteUri)
            .SetString(keys.InstanceByIp(started.PublicIp), instanceId)
            .ExecuteAsync();

    /// <summary>A starting instance was given up on; the record stays (with why) until it is deleted.</summary>
    public Task<bool> MarkFailedAsync(string instanceId, string error) =>
        store
            .CreateTransaction()
            .When(new StateCondition.KeyExists(keys.Instance(instanceId)))
            .HashSet(keys.Instance(instanceId), Status, StatusText(InstanceStatus.Failed))
            .HashSet(keys.Instance(instanceId), Error, error)
            .ExecuteAsync();

    public async Task<InstanceRecord?> GetAsync(string instanceId)
    {
        var h = await store.HashGetAllAsync(keys.Instance(instanceId));
        if (!h.TryGetValue(Provider, out var provider))
            return null;
        var status = h.GetValueOrDefault(Status) switch
        {
            "starting" => InstanceStatus.Starting,
            "failed" => InstanceStatus.Failed,
            _ => InstanceStatus.Running,
        };
        var worker = h.GetValueOrDefault(Worker);
        return new InstanceRecord(
            instanceId,
            status,
            h.GetValueOrDefault(Ip),
            worker is null ? null : new Uri(worker),
            provider,
            h.GetValueOrDefault(Ref) ?? "",
            DateTimeOffset.FromUnixTimeMilliseconds(
                long.Parse(h.GetValueOrDefault(Created) ?? "0", CultureInfo.InvariantCulture)
            ),
            h.GetValueOrDefault(Error)
        );
    }

    public async Task<IReadOnlyList<InstanceRecord>> ListAsync()
    {
        var list = new List<InstanceRecord>();
        foreach (var id in await store.SetMembersAsync(keys.Instances))
        {
            if (await GetAsync(id) is { } r)
                list.Add(r);
        }

        return list;
    }

    public Task<string?> FindByIpAsync(string ip) => store.GetStringAsync(keys.InstanceByIp(ip));

    public async Task<bool> RemoveAsync(InstanceRecord r)
    {
        var tx = store
            .CreateTransaction()
            .When(new StateCondition.KeyExists(keys.Instance(r.InstanceId)))
            .Delete(keys.Instance(r.InstanceId))
            .SetRemove(keys.Instances, r.InstanceId);
        // Another instance may since have been given the same address; only drop the index if it is still ours.
        if (r.PublicIp is { } ip && await store.GetStringAsync(keys.InstanceByIp(ip)) == r.InstanceId)
            tx.Delete(keys.InstanceByIp(ip));
        return await tx.ExecuteAsync();
    }

    public static string StatusText(InstanceStatus status) =>
        status switch
        {
            InstanceStatus.Starting => "starting",
            InstanceStatus.Failed => "failed",
            _ => "running",
        };
}
