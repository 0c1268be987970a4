using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace MobZ.PixelStreaming.Tests;

/// <summary>
/// AddPixelStreaming registers its meter with the host's OpenTelemetry, so what docs/operations.md lists
/// (<c>mobz_ps_messages_dropped_total</c>) reaches /metrics without a host naming the meter itself.
/// </summary>
public sealed class MetricsRegistrationTests
{
    [Fact]
    public void The_dropped_message_counter_reaches_the_hosts_metrics_exporter()
    {
        var exported = new ConcurrentBag<string>();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPixelStreaming();
        services
            .AddOpenTelemetry()
            .WithMetrics(m => m.AddReader(new BaseExportingMetricReader(new RecordingExporter(exported))));
        using var provider = services.BuildServiceProvider();
        var meters = provider.GetRequiredService<MeterProvider>();

        PsMetrics.DroppedMessages.Add(1, new("reason", "unknown_type"), new("role", "player"));
        meters.ForceFlush();

        Assert.Contains("mobz.ps.messages.dropped", exported);
    }

    private sealed class RecordingExporter(ConcurrentBag<string> names) : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch)
                names.Add(metric.Name);
            return ExportResult.Success;
        }
    }
}
