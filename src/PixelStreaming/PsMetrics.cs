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

    /// <summary>
    /// Moves of the waiting queue, tagged <c>result</c>: <c>told</c> (a round that told every waiting player its
    /// position) or <c>folded</c> (a move that came while a round was under way, covered by one more round after it).
    /// Many folded moves mean bursts of hand-overs; the players still end with their latest position.
    /// </summary>
    public static readonly Counter<long> QueueMoves = Meter.CreateCounter<long>(
        "mobz.ps.queue.moves",
        "{move}",
        "Waiting-queue moves: position rounds told, and moves folded into the next round"
    );
}
