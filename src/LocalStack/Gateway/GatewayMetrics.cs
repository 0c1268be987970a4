using System.Diagnostics.Metrics;

namespace MobZ.LocalStack.Gateway;

/// <summary>
/// What operators watch on the local gateway (Meter "MobZ.Gateway"): connections closed for flooding or for not
/// reading, and the bytes queued in each direction right now. The same numbers are readable in-process for tests.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "MobZ.Gateway";

    private readonly Meter _meter;
    private readonly Counter<long> _slowConsumers;
    private readonly Counter<long> _inboundOverflows;
    private long _slowConsumersClosed;
    private long _inboundOverflowsClosed;
    private long _outboundQueuedBytes;
    private long _inboundQueuedBytes;

    public GatewayMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _slowConsumers = _meter.CreateCounter<long>(
            "mobz.gateway.slow_consumers_closed",
            "{connection}",
            "Connections closed with 1008 because they did not read what was posted to them"
        );
        _inboundOverflows = _meter.CreateCounter<long>(
            "mobz.gateway.inbound_overflows_closed",
            "{connection}",
            "Connections closed with 1008 because they sent more than their handler could keep up with"
        );
        _meter.CreateObservableGauge(
            "mobz.gateway.outbound_queued_bytes",
            () => OutboundQueuedBytes,
            "By",
            "Bytes posted to connections and not yet written to their sockets"
        );
        _meter.CreateObservableGauge(
            "mobz.gateway.inbound_queued_bytes",
            () => InboundQueuedBytes,
            "By",
            "Bytes received from connections and not yet handled"
        );
    }

    public long SlowConsumersClosed => Interlocked.Read(ref _slowConsumersClosed);
    public long InboundOverflowsClosed => Interlocked.Read(ref _inboundOverflowsClosed);
    public long OutboundQueuedBytes => Interlocked.Read(ref _outboundQueuedBytes);
    public long InboundQueuedBytes => Interlocked.Read(ref _inboundQueuedBytes);

    internal void SlowConsumerClosed()
    {
        Interlocked.Increment(ref _slowConsumersClosed);
        _slowConsumers.Add(1);
    }

    internal void InboundOverflowClosed()
    {
        Interlocked.Increment(ref _inboundOverflowsClosed);
        _inboundOverflows.Add(1);
    }

    internal void AddOutbound(long bytes) => Interlocked.Add(ref _outboundQueuedBytes, bytes);

    internal void AddInbound(long bytes) => Interlocked.Add(ref _inboundQueuedBytes, bytes);

    public void Dispose() => _meter.Dispose();
}
