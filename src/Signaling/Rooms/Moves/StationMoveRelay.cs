using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MobZ.Contracts;
using MobZ.Signaling.Rooms.Actions;
using MobZ.State;

namespace MobZ.Signaling.Rooms.Moves;

/// <summary>
/// Listens for the station moves Regulators announce (<see cref="MunitKeys.MovesChannel"/>) and has
/// <see cref="RoomSignals.AnnounceMoveAsync"/> tell each room; likewise publishers whose media peer ended
/// (<see cref="MunitKeys.PeersChannel"/>, <see cref="RoomSignals.AnnouncePeerLostAsync"/>) and publishers of
/// stations written back after the store lost its data (<see cref="MunitKeys.RestoredChannel"/>,
/// <see cref="RoomSignals.TellStateLostAsync"/>). Runs in long-running signaling hosts (the local
/// stack, Munit tasks with an @connections endpoint); a Lambda cannot hold the subscription.
/// </summary>
public sealed class StationMoveRelay(
    IMessageBus bus,
    RoomSignals signals,
    IOptions<RoomOptions> options,
    ILogger<StationMoveRelay> logger
) : IHostedService, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private bool _stopped;
    private Task _telling = Task.CompletedTask;
    private Task _tellingPeer = Task.CompletedTask;
    private Task _tellingRestored = Task.CompletedTask;
    private IAsyncDisposable? _subscription;
    private IAsyncDisposable? _peersSubscription;
    private IAsyncDisposable? _restoredSubscription;

    /// <summary>Subscribes before the host reports started, so no move announced after start-up is missed
    /// here.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.RunMoveRelay)
            return;
        _subscription = await bus.SubscribeAsync(MunitKeys.MovesChannel, OnMessageAsync).ConfigureAwait(false);
        _peersSubscription = await bus.SubscribeAsync(MunitKeys.PeersChannel, OnPeerMessageAsync).ConfigureAwait(false);
        _restoredSubscription = await bus.SubscribeAsync(MunitKeys.RestoredChannel, OnRestoredMessageAsync)
            .ConfigureAwait(false);
    }

    /// <summary>Takes no new move, lets the one being told finish (until <paramref name="cancellationToken"/>), then
    /// unsubscribes.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task telling;
        lock (_gate)
        {
            _stopped = true;
            telling = Task.WhenAll(_telling, _tellingPeer, _tellingRestored);
        }
        try
        {
            await telling.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning(
                "Stopped while a station move or lost peer was still being told; the rest of the room is not told"
            );
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _subscription, null) is { } subscription)
            await subscription.DisposeAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _peersSubscription, null) is { } peers)
            await peers.DisposeAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _restoredSubscription, null) is { } restored)
            await restored.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Deliveries come one at a time (the bus keeps one ordered queue per subscription).</summary>
    private Task OnMessageAsync(string json)
    {
        lock (_gate)
        {
            if (_stopped)
                return Task.CompletedTask;
            return _telling = OnMovedAsync(json, _stopping.Token);
        }
    }

    private Task OnPeerMessageAsync(string json)
    {
        lock (_gate)
        {
            if (_stopped)
                return Task.CompletedTask;
            return _tellingPeer = OnPeerLostAsync(json, _stopping.Token);
        }
    }

    private Task OnRestoredMessageAsync(string json)
    {
        lock (_gate)
        {
            if (_stopped)
                return Task.CompletedTask;
            return _tellingRestored = OnRestoredAsync(json, _stopping.Token);
        }
    }

    /// <summary>Reads one event off a channel; a malformed one is dropped with a warning naming <paramref
    /// name="what"/>.</summary>
    private bool TryRead<T>(
        string json,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type,
        string what,
        out T? value
    )
    {
        try
        {
            value = JsonSerializer.Deserialize(json, type);
            return true;
        }
        catch (JsonException ex)
        {
            logger.LogWarning("Dropped a malformed {What} event: {Error}", what, ex.Message);
            value = default;
            return false;
        }
    }

    private async Task OnRestoredAsync(string json, CancellationToken cancellationToken)
    {
        if (!TryRead(json, ContractsJsonContext.Default.StationsRestoredEvent, "stations-restored", out var restored))
            return;
        if (restored is null || restored.Version != MunitSignal.CurrentVersion || restored.PublisherIds is null)
        {
            logger.LogWarning("Dropped a stations-restored event this node does not understand");
            return;
        }
        foreach (var publisherId in restored.PublisherIds.Distinct(StringComparer.Ordinal))
        {
            try
            {
                await signals.TellStateLostAsync(publisherId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Telling {ConnectionId} that its records were lost failed", publisherId);
            }
        }
    }

    private async Task OnPeerLostAsync(string json, CancellationToken cancellationToken)
    {
        if (!TryRead(json, ContractsJsonContext.Default.PeerLostEvent, "peer-lost", out var lost))
            return;
        if (
            lost is null
            || lost.Version != MunitSignal.CurrentVersion
            || lost.EventId is null
            || lost.MunitId is null
            || lost.StationId is null
            || lost.PeerId is null
            || lost.Reason is null
        )
        {
            logger.LogWarning("Dropped a peer-lost event this node does not understand");
            return;
        }
        try
        {
            await signals.AnnouncePeerLostAsync(lost, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(
                ex,
                "Telling the room about the lost publisher {PeerId} of station {StationId} failed",
                lost.PeerId,
                lost.StationId
            );
        }
    }

    private async Task OnMovedAsync(string json, CancellationToken cancellationToken)
    {
        if (!TryRead(json, ContractsJsonContext.Default.StationsMovedEvent, "station-move", out var moved))
            return;
        if (moved is null || moved.Version != MunitSignal.CurrentVersion || moved.Moves is null)
        {
            logger.LogWarning("Dropped a station-move event this node does not understand");
            return;
        }
        foreach (var move in moved.Moves)
        {
            try
            {
                await signals.AnnounceMoveAsync(move, moved.Reason, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Telling the room about the move of station {StationId} failed", move.StationId);
            }
        }
    }
}
