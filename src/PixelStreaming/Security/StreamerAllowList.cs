using System.Net;
using MobZ.PixelStreaming.Matching;
using MobZ.State;

namespace MobZ.PixelStreaming.Security;

/// <summary>The addresses streamers may connect from, kept in the store so every signaling instance agrees.</summary>
public sealed class StreamerAllowList(IStateStore store, PsKeys keys, PixelStreamingOptions options)
{
    public bool Disabled => options.DisableIpAllowList;

    public async Task<bool> IsAllowedAsync(string sourceIp) =>
        Disabled || (Normalize(sourceIp) is { } ip && await store.SetContainsAsync(keys.AllowedIps, ip));

    public Task<bool> AddAsync(string ip) =>
        store.SetAddAsync(
            keys.AllowedIps,
            Normalize(ip) ?? throw new ArgumentException($"not an IP address: {ip}", nameof(ip))
        );

    public Task<bool> RemoveAsync(string ip) =>
        Normalize(ip) is { } n ? store.SetRemoveAsync(keys.AllowedIps, n) : Task.FromResult(false);

    public Task<IReadOnlyList<string>> ListAsync() => store.SetMembersAsync(keys.AllowedIps);

    /// <summary>One spelling per address (IPv4-mapped IPv6 becomes IPv4), so lookups cannot miss on form.</summary>
    public static string? Normalize(string? ip)
    {
        if (!IPAddress.TryParse(ip, out var address))
            return null;
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        return address.ToString();
    }
}
