using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using MobZ.Munit.Control;
using MobZ.Munit.WebRtc;

namespace MobZ.Munit.Hosting;

/// <summary>Publishes the Munit's instruments (<see cref="MunitMetrics"/>) while the host runs.</summary>
internal sealed class MunitMetricsService(MunitServer munit, WebRtcMedia media, IMeterFactory? meterFactory = null)
    : IHostedService
{
    private MunitMetrics? _metrics;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _metrics ??= new MunitMetrics(munit, media, meterFactory);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _metrics?.Dispose();
        _metrics = null;
        return Task.CompletedTask;
    }
}
