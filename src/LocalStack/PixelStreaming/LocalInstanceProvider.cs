using MobZ.PixelStreaming.Instances;

namespace MobZ.LocalStack.PixelStreaming;

/// <summary>
/// Instances on this machine: a headless-Chromium streamer and its worker, reachable from 127.0.0.1. Launching
/// waits until the worker answers, so the first probe finds the instance running; the reference is the worker's URL.
/// </summary>
public sealed class LocalInstanceProvider(LocalStreamerLauncher launcher) : IInstanceProvider
{
    public const string Address = "127.0.0.1";

    public const string ProviderName = "local";

    public string Name => ProviderName;

    public async Task<string> LaunchAsync(string instanceId, CancellationToken cancellationToken)
    {
        try
        {
            var worker = await launcher.StartAsync(instanceId, cancellationToken);
            return worker.Url.AbsoluteUri;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or System.Net.HttpListenerException)
        {
            await launcher.StopAsync(instanceId);
            throw new InstanceProviderException($"local streamer could not start: {e.Message}", e);
        }
    }

    public Task<StartedInstance?> ProbeAsync(
        string instanceId,
        string providerRef,
        CancellationToken cancellationToken
    ) => Task.FromResult<StartedInstance?>(new StartedInstance(Address, new Uri(providerRef)));

    public Task StopAsync(string instanceId, string providerRef, CancellationToken cancellationToken) =>
        launcher.StopAsync(instanceId);
}
