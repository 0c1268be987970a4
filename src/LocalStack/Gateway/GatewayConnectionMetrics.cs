using System.Diagnostics.Metrics;

namespace MobZ.LocalStack.Gateway;

/// <summary>
/// Open WebSocket connections of the local gateway, by API (meter <see cref="MeterName"/>), read from the
/// registry when a collector asks. See docs/operations.md.
/// </summary>
public sealed class GatewayConnectionMetrics
{
    public const string MeterName = "MobZ.Gateway";

    public GatewayConnectionMetrics(ConnectionRegistry registry, IMeterFactory? meterFactory = null)
    {
        var meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);
        meter.CreateObservableUpDownCounter(
            "mobz.gateway.connections",
            () =>
                registry
                    .Snapshot()
                    .GroupBy(c => c.Api.ApiId, StringComparer.Ordinal)
                    .Select(g => new Measurement<long>(g.Count(), new KeyValuePair<string, object?>("api", g.Key))),
            "{connection}",
            "Open WebSocket connections, by API"
        );
    }
}
