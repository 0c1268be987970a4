using System.Globalization;
using MobZ.PixelStreaming.Matching;
using MobZ.State;

namespace MobZ.PixelStreaming.Instances;

/// <summary>Instances in the store: by id, and by public address (how a connecting streamer is tied to its worker).</summary>
public sealed class InstanceRegistry(IStateStore store, PsKeys keys)
{
    private const string Ip = "ip", Worker = "worker", Provider = "provider", Ref = "ref", Created = "created";

    public Task<bool> AddAsync(InstanceRecord r) =>
        store.CreateTransaction()
            .When(new StateCondition.KeyNotExists(keys.Instance(r.InstanceId)))
            .HashSet(keys.Instance(r.InstanceId), Ip, r.PublicIp)
            .HashSet(keys.Instance(r.InstanceId), Worker, r.WorkerUrl.AbsoluteUri)
            .HashSet(keys.Instance(r.InstanceId), Provider, r.Provider)
            .HashSet(keys.Instance(r.InstanceId), Ref, r.ProviderRef)
            .HashSet(keys.Instance(r.InstanceId), Created, r.CreatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture))
            .SetAdd(keys.Instances, r.InstanceId)
            .SetString(keys.InstanceByIp(r.PublicIp), r.InstanceId)
            .ExecuteAsync();

    public async Task<InstanceRecord?> GetAsync(string instanceId)
    {
        var h = await store.HashGetAllAsync(keys.Instance(instanceId));
        if (!h.TryGetValue(Ip, out var ip) || !h.TryGetValue(Worker, out var worker)) return null;
        return new InstanceRecord(instanceId, ip, new Uri(worker), h.GetValueOrDefault(Provider) ?? "", h.GetValueOrDefault(Ref) ?? "",
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(h.GetValueOrDefault(Created) ?? "0", CultureInfo.InvariantCulture)));
    }

    public async Task<IReadOnlyList<InstanceRecord>> ListAsync()
    {
        var list = new List<InstanceRecord>();
        foreach (var id in await store.SetMembersAsync(keys.Instances))
            if (await GetAsync(id) is { } r) list.Add(r);
        return list;
    }

    public Task<string?> FindByIpAsync(string ip) => store.GetStringAsync(keys.InstanceByIp(ip));

    public async Task<bool> RemoveAsync(InstanceRecord r)
    {
        var tx = store.CreateTransaction()
            .When(new StateCondition.KeyExists(keys.Instance(r.InstanceId)))
            .Delete(keys.Instance(r.InstanceId))
            .SetRemove(keys.Instances, r.InstanceId);
        // Another instance may since have been given the same address; only drop the index if it is still ours.
        if (await store.GetStringAsync(keys.InstanceByIp(r.PublicIp)) == r.InstanceId) tx.Delete(keys.InstanceByIp(r.PublicIp));
        return await tx.ExecuteAsync();
    }
}
