namespace MobZ.PixelStreaming.Instances;

/// <summary>
/// What runs when no instance provider is configured: the signalling server still matches players with streamers
/// that connect by themselves, but nobody can start or stop an instance through the API (503, logged at start)
/// — a library that guessed a provider would start processes or tasks nobody asked for.
/// </summary>
public sealed class NoInstanceProvider : IInstanceProvider
{
    public const string Message = "no instance provider configured (PixelStreaming:InstanceProvider, e.g. ecs)";

    public string Name => "none";

    public Task<string> LaunchAsync(string instanceId, CancellationToken cancellationToken) => throw NotConfigured();

    public Task<StartedInstance?> ProbeAsync(
        string instanceId,
        string providerRef,
        CancellationToken cancellationToken
    ) => throw NotConfigured();

    public Task StopAsync(string instanceId, string providerRef, CancellationToken cancellationToken) =>
        throw NotConfigured();

    private static InstanceProviderException NotConfigured() => new(Message) { NotConfigured = true };
}
