using System.Globalization;
using MobZ.PixelStreaming.Matching;
using MobZ.State;

namespace MobZ.PixelStreaming.Instances;

/// <summary>
/// Instances in the store: by id, and by public address (how a connecting streamer is tied to its worker).
/// Each change is one step on the instance's own record; the set of ids and the address index are written beside it
/// (on a Redis Cluster they live in other slots) and read as hints: an id without a record is skipped, an address
/// that no longer belongs to its instance is not an answer.
/// </summary>
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
    public async Task<bool> AddAsync(InstanceRecord r)
    {
        var key = keys.Instance(r.InstanceId);
        // Listed first: a record is never there without its id in the set (an id listed without a record is skipped).
        await store.SetAddAsync(keys.Instances, r.InstanceId);
        var tx = store
            .CreateTransaction()
            .When(new StateCondition.KeyNotExists(key))
            .HashSet(key, Status, StatusText(r.Status))
            .HashSet(key, Provider, r.Provider)
            .HashSet(key, Ref, r.ProviderRef)
            .HashSet(key, Created, r.CreatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        var running = r is { Status: InstanceStatus.Running, PublicIp: not null, WorkerUrl: not null };
        if (running)
            tx.HashSet(key, Ip, r.PublicIp!).HashSet(key, Worker, r.WorkerUrl!.AbsoluteUri);
        if (!await tx.ExecuteAsync())
            return false;
        if (running)
            await store.SetStringAsync(keys.InstanceByIp(r.PublicIp!), r.InstanceId);
        return true;
    }

    /// <summary>Records the provider's reference of a starting instance; false if it was deleted meanwhile.</summary>
    public Task<bool> SetProviderRefAsync(string instanceId, string providerRef) =>
        store
            .CreateTransaction()
            .When(new StateCondition.KeyExists(keys.Instance(instanceId)))
            .HashSet(keys.Instance(instanceId), Ref, providerRef)
            .ExecuteAsync();

    /// <summary>A starting instance became reachable; false if it was deleted meanwhile.</summary>
    public async Task<bool> MarkRunningAsync(string instanceId, StartedInstance started)
    {
        if (
            !await store
                .CreateTransaction()
                .When(new StateCondition.KeyExists(keys.Instance(instanceId)))
                .HashSet(keys.Instance(instanceId), Status, StatusText(InstanceStatus.Running))
                .HashSet(keys.Instance(instanceId), Ip, started.PublicIp)
                .HashSet(keys.Instance(instanceId), Worker, started.WorkerUrl.AbsoluteUri)
                .ExecuteAsync()
        )
        {
            return false;
        }
        await store.SetStringAsync(keys.InstanceByIp(started.PublicIp), instanceId);
        return true;
    }

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

    /// <summary>The instance whose record has <paramref name="ip"/> now (the index alone may be stale).</summary>
    public async Task<string?> FindByIpAsync(string ip) =>
        await store.GetStringAsync(keys.InstanceByIp(ip)) is { } id
        && await store.HashGetAsync(keys.Instance(id), Ip) == ip
            ? id
            : null;

    public async Task<bool> RemoveAsync(InstanceRecord r)
    {
        if (await store.DeleteAsync(keys.Instance(r.InstanceId)) == 0)
            return false;
        await store.SetRemoveAsync(keys.Instances, r.InstanceId);
        // Another instance may since have been given the same address; only drop the index if it is still ours.
        if (r.PublicIp is { } ip && await store.GetStringAsync(keys.InstanceByIp(ip)) == r.InstanceId)
            await store.DeleteAsync(keys.InstanceByIp(ip));
        return true;
    }

    public static string StatusText(InstanceStatus status) =>
        status switch
        {
            InstanceStatus.Starting => "starting",
            InstanceStatus.Failed => "failed",
            _ => "running",
        };
}
