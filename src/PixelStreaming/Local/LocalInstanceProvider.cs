using MobZ.PixelStreaming.Instances;

namespace MobZ.PixelStreaming.Local;

/// <summary>Instances on this machine: a headless-Chromium streamer and its worker, reachable from 127.0.0.1.</summary>
public sealed class LocalInstanceProvider(LocalStreamerLauncher launcher) : IInstanceProvider
{
    public string Name => "local";

    public async Task<StartedInstance> StartAsync(string instanceId, CancellationToken cancellationToken)
    {
        try
        {
            var worker = await launcher.StartAsync(instanceId, cancellationToken);
            return new StartedInstance("127.0.0.1", worker.Url, $"local:{instanceId}");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or System.Net.HttpListenerException)
        {
            await launcher.StopAsync(instanceId);
            throw new InstanceProviderException($"local streamer could not start: {e.Message}", e);
        }
    }

    public Task StopAsync(string instanceId, string providerRef, CancellationToken cancellationToken) => launcher.StopAsync(instanceId);
}
