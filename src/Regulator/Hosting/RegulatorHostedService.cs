using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MobZ.Regulator.Hosting;

/// <summary>Starts the Regulator with the host; a Stop order shuts the host down (which hands the stations
/// over).</summary>
internal sealed class RegulatorHostedService(
    Regulator regulator,
    IHostApplicationLifetime lifetime,
    ILogger<RegulatorHostedService> logger
) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        regulator.StopRequested += OnStopRequested;
        await regulator.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        regulator.StopRequested -= OnStopRequested;
        await regulator.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private void OnStopRequested()
    {
        logger.LogWarning("Stop ordered through the Regulator: shutting the host down");
        lifetime.StopApplication();
    }
}
