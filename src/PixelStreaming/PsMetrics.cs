using System.Diagnostics.Metrics;

namespace MobZ.PixelStreaming;

/// <summary>Numbers operators watch on the Pixel Streaming signalling (meter <c>MobZ.PixelStreaming</c>).</summary>
public static class PsMetrics
{
    public const string MeterName = "MobZ.PixelStreaming";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>
    /// Messages dropped without an answer, as Epic's server drops them (it only logs); tagged with
    /// <c>reason</c> (<c>unknown_type</c>) and <c>role</c>. A rising count means a client speaks a protocol we do not.
    /// </summary>
    public static readonly Counter<long> DroppedMessages = Meter.CreateCounter<long>(
        "mobz.ps.messages.dropped",
        "{message}",
        "Signalling messages dropped without an answer"
    );
}
