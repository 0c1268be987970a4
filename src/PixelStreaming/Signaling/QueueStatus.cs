using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using MobZ.PixelStreaming.Matching;
using MobZ.PixelStreaming.Protocol;
using MobZ.Signaling.Abstractions;
using MobZ.State;

namespace MobZ.PixelStreaming.Signaling;

/// <summary>
/// Tells waiting players where they stand: <c>queueStatus</c> <c>{position, estimatedWaitSeconds?}</c> when a
/// player joins the queue and to everyone still waiting whenever the queue moves. Epic's frontend has no
/// handler for the type and ignores it; our player page shows it.
/// The estimate is the player's position times the average time the queue's head waited to be served
/// (exponentially weighted over recent hand-overs, measured from when the queue last became non-empty or
/// from the previous hand-over); it is left out until one hand-over has been measured.
/// </summary>
public sealed class QueueStatus(IStateStore store, PsKeys keys, IConnectionSender sender, ILogger<QueueStatus> logger)
{
    private readonly IReadOnlyList<string> _operationKeys = PsOperations.Keys(keys);

    // Position rounds asked for and not yet covered by a finished round (MovedAsync).
    private int _moves;

    /// <summary>Players beyond this position are not updated on every move (each update is one send per
    /// player).</summary>
    public const int MaxNotified = 500;

    /// <summary>Sends of one round in flight at once.</summary>
    public const int ConcurrentSends = 16;

    /// <summary>A player joined the queue (the subscribe that queued it read its position, 0 when it is no longer
    /// there, and the estimate's basis): it hears where it stands.</summary>
    public Task JoinedAsync(string connectionId, int position, double? averageServeMs, CancellationToken ct) =>
        position > 0 ? SendAsync(connectionId, position, averageServeMs, ct) : Task.CompletedTask;

    /// <summary>
    /// Someone left or re-entered the queue: everyone still waiting hears its (new) position. Moves that come while
    /// this process is already telling the queue are folded into one more round after it, which reads the queue as it
    /// is then: in a burst of hand-overs each waiting player hears its latest position, not every step on the way
    /// (a round per hand-over made a 200-player burst cost 36,000 lookups and sends).
    /// </summary>
    public async Task MovedAsync(CancellationToken ct)
    {
        if (Interlocked.Increment(ref _moves) != 1)
        {
            PsMetrics.QueueMoves.Add(1, new KeyValuePair<string, object?>("result", "folded"));
            return; // the round under way goes again once it is done
        }
        while (true)
        {
            var seen = Volatile.Read(ref _moves);
            try
            {
                await TellPositionsAsync(ct);
                PsMetrics.QueueMoves.Add(1, new KeyValuePair<string, object?>("result", "told"));
            }
            catch
            {
                Interlocked.Exchange(ref _moves, 0);
                throw;
            }
            if (Interlocked.Add(ref _moves, -seen) == 0)
                return;
        }
    }

    private async Task TellPositionsAsync(CancellationToken ct)
    {
        // The queue, each waiting player's connection and the estimate's basis in one step (one script on Redis).
        var waiting = await store.RunAsync(
            PsOperations.Waiting.Instance,
            _operationKeys,
            [MaxNotified.ToString(CultureInfo.InvariantCulture)]
        );
        // Side by side, a few at a time: behind API Gateway each send is an HTTPS call, and one slow connection must
        // not hold up the positions of everyone behind it.
        await Parallel.ForEachAsync(
            Enumerable.Range(0, waiting.Players.Count),
            new ParallelOptions { MaxDegreeOfParallelism = ConcurrentSends, CancellationToken = ct },
            async (i, token) =>
            {
                if (waiting.Players[i].Conn is { } conn)
                    await SendAsync(conn, i + 1, waiting.AverageServeMs, token);
            }
        );
    }

    private async Task SendAsync(string connectionId, int position, double? averageMs, CancellationToken ct)
    {
        int? estimate = averageMs is { } ms ? (int)Math.Ceiling(position * ms / 1000) : null;
        var status = await sender.SendAsync(
            connectionId,
            JsonSerializer.SerializeToUtf8Bytes(
                new QueueStatusMessage(position, estimate),
                PsJsonContext.Default.QueueStatusMessage
            ),
            ct
        );
        if (status != SendStatus.Sent)
            logger.LogDebug("Queue status to {Target} failed: {Status}", connectionId, status);
    }
}
