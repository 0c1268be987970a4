using Microsoft.Extensions.Logging;
using MobZ.Contracts;
using MobZ.Munit.Control;
using MobZ.State;

namespace MobZ.Regulator;

/// <summary>
/// Runs beside one Munit: registers it (registry, info, heartbeat), obeys the orders signaling publishes
/// on the Munit's channel and the broadcast channel, relays media requests, and — because pub/sub is
/// at-most-once — reconciles the Munit's stations against the keys on every reconnect and periodically.
/// It also watches the other Munits' heartbeats and moves the stations of one that died (exactly one
/// Regulator wins that move; see <see cref="StationReassigner"/>).
/// </summary>
public sealed class Regulator : IAsyncDisposable
{
    private readonly IMunit _munit;
    private readonly IStateStore _store;
    private readonly IMessageBus _bus;
    private readonly RegulatorOptions _options;
    private readonly ILogger _logger;
    private readonly StationReassigner _reassigner;
    private readonly HeartbeatLiveness _liveness;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<IAsyncDisposable> _subscriptions = [];
    private Task? _loop;
    private volatile bool _draining;
    private volatile bool _stopped;
    private bool _reportedDrained;
    private int _reconcileRequested;

    /// <summary>Completed to wake the loop before its next due time; replaced by the loop once seen.</summary>
    private TaskCompletionSource _wakeUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _registeredOnce;

    /// <summary>When a drain with a deadline hands what is left over (null: no deadline); guarded by <see
    /// cref="_drainLock"/>.</summary>
    private DateTimeOffset? _drainDeadline;

    /// <summary>After a hand-over that found no Munit to take the stations, the next attempt waits a
    /// heartbeat.</summary>
    private DateTimeOffset _nextDeadlineAttempt;
    private readonly Lock _drainLock = new();
    private volatile string _epoch = RegistrationWriter.NewEpoch();

    public Regulator(
        IMunit munit,
        IStateStore store,
        IMessageBus bus,
        string munitId,
        string address,
        int port,
        int capacity,
        RegulatorOptions options,
        ILogger<Regulator> logger,
        TimeProvider? time = null
    )
    {
        _time = time ?? TimeProvider.System;
        _munit = munit;
        _store = store;
        _bus = bus;
        MunitId = munitId;
        Address = address;
        Port = port;
        Capacity = capacity;
        _options = options;
        _logger = logger;
        _reassigner = new StationReassigner(store, bus, logger);
        _liveness = new HeartbeatLiveness(
            options.HeartbeatInterval,
            options.AliveTtl,
            options.MaxAliveTtl > options.AliveTtl ? options.MaxAliveTtl : options.AliveTtl
        );
    }

    public string MunitId { get; }
    public string Address { get; }
    public int Port { get; }
    public int Capacity { get; }

    /// <summary>True after a Drain order until a Revive.</summary>
    public bool Draining => _draining;

    /// <summary>When the current drain hands its remaining stations over; null without a drain deadline (or once it
    /// has).</summary>
    public DateTimeOffset? DrainDeadline
    {
        get
        {
            lock (_drainLock)
                return _drainDeadline;
        }
    }

    /// <summary>True once this Regulator has written its registration (readiness; docs/operations.md).</summary>
    public bool Registered => _registeredOnce;

    /// <summary>Whether the registration is in the store now (it vanishes when Redis restarts empty or this Munit was
    /// declared dead).</summary>
    /// <exception cref="StateUnavailableException">the store is unreachable.</exception>
    public async Task<bool> IsRegisteredAsync() =>
        _registeredOnce
        && await _store.HashGetAsync(MunitKeys.Info(MunitId), MunitInfoFields.Epoch).ConfigureAwait(false) == _epoch;

    /// <summary>Raised once when a Stop order arrives; the host shuts the process down (which calls <see
    /// cref="StopAsync"/>).</summary>
    public event Action? StopRequested;

    /// <summary>Raised when a draining Munit's last station is gone.</summary>
    public event Action? Drained;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        using var scope = Scope();
        _bus.Reconnected += OnReconnected;
        _munit.PeerLost += OnPeerLost;
        _subscriptions.Add(await _bus.SubscribeAsync(MunitKeys.Channel(MunitId), OnMessageAsync).ConfigureAwait(false));
        _subscriptions.Add(await _bus.SubscribeAsync(MunitKeys.BroadcastChannel, OnMessageAsync).ConfigureAwait(false));
        await ReconcileAsync().ConfigureAwait(false);
        _logger.LogInformation("Regulator started for Munit {MunitId} at {Address}:{Port}", MunitId, Address, Port);
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>
    /// Graceful stop: hands this Munit's stations to live Munits (or, with none, leaves them for the expiry
    /// sweep), removes the registration and closes the stations.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopped)
            return;
        using var scope = Scope();
        await HaltAsync().ConfigureAwait(false);
        try
        {
            int moved = await HandOverAsync(retire: true).ConfigureAwait(false);
            if (moved < 0)
            {
                // Nobody could take them: stop heartbeating at once so the expiry sweep of the next Munit to
                // come up moves them.
                await _store.DeleteAsync(MunitKeys.Alive(MunitId)).ConfigureAwait(false);
            }
        }
        catch (StateUnavailableException ex)
        {
            _logger.LogWarning(
                ex,
                "Store unavailable during stop; the heartbeat will expire and the stations move then"
            );
        }
        foreach (var stationId in _munit.StationIds)
            _munit.CloseStation(stationId);
        _logger.LogInformation("Regulator stopped");
    }

    /// <summary>
    /// The one hand-over, for a Stop and for a drain past its deadline: this Munit's stations move to live,
    /// non-draining Munits in one commit fenced by our lease epoch, and signaling is told (StationMoved to every client
    /// of a moved station). With <paramref name="retire"/> the registration goes too.
    /// </summary>
    /// <returns>the number of stations moved, or -1 when nothing could take them or our lease is gone.</returns>
    private Task<int> HandOverAsync(bool retire) =>
        _reassigner.ReassignAsync(MunitId, requireExpired: false, _epoch, retire);

    /// <summary>
    /// Called by the loop (and by tests with a fake clock): once a drain's deadline has passed, hands the stations
    /// still here to other Munits and closes them here. The Munit stays registered and draining. When no Munit can
    /// take them, it tries again a heartbeat later.
    /// </summary>
    /// <returns>the number of stations handed over, 0 when nothing was due.</returns>
    public async Task<int> EnforceDrainDeadlineAsync()
    {
        var now = _time.GetUtcNow();
        lock (_drainLock)
        {
            if (!_draining || _drainDeadline is not { } deadline || now < deadline || now < _nextDeadlineAttempt)
                return 0;
            _nextDeadlineAttempt = now + _options.HeartbeatInterval;
        }
        using var scope = Scope();
        int stations = _munit.StationIds.Count;
        int moved = await HandOverAsync(retire: false).ConfigureAwait(false);
        if (moved < 0)
        {
            _logger.LogWarning(
                "Drain deadline passed with {Stations} stations here, but no live, non-draining Munit could take them "
                    + "(or this Munit's lease changed and reconcile has yet to renew it); retrying",
                stations
            );
            return 0;
        }
        lock (_drainLock)
        {
            // A Revive or a new Drain order that arrived meanwhile set its own deadline; keep that one.
            if (_drainDeadline <= now)
                _drainDeadline = null;
        }
        _logger.LogInformation("Drain deadline passed: handed {Moved} stations over", moved);
        // The keys no longer name us for the moved stations: reconcile closes them here (the clients are already told).
        await ReconcileAsync().ConfigureAwait(false);
        await HeartbeatAsync().ConfigureAwait(false);
        return moved;
    }

    /// <summary>Stops all activity without touching the store, as a crash would (tests, and a host that is being
    /// killed).</summary>
    public Task AbandonAsync() => HaltAsync();

    public async ValueTask DisposeAsync()
    {
        await HaltAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task HaltAsync()
    {
        if (_stopped)
            return;
        _stopped = true;
        _bus.Reconnected -= OnReconnected;
        _munit.PeerLost -= OnPeerLost;
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var s in _subscriptions)
        {
            try
            {
                await s.DisposeAsync().ConfigureAwait(false);
            }
            catch (StateUnavailableException)
            { /* the server is gone, so is the subscription */
            }
        }
        _subscriptions.Clear();
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException) { }
        }
    }

    /// <summary>Raised on a media thread: the announcement goes out on the thread pool, never blocking media.</summary>
    private void OnPeerLost(PeerLost lost)
    {
        if (_stopped)
            return;
        var announced = new PeerLostEvent(
            Guid.NewGuid().ToString("N"),
            MunitId,
            lost.StationId,
            lost.PeerId,
            lost.Reason
        );
        _ = Task.Run(async () =>
        {
            try
            {
                await _bus.PublishAsync(MunitKeys.PeersChannel, SignalJson.Serialize(announced)).ConfigureAwait(false);
            }
            catch (StateUnavailableException ex)
            {
                // The publisher's own client sees its connection fail too, and re-offers by itself.
                _logger.LogWarning(
                    "Could not announce the lost publisher {PeerId} of station {StationId}: {Error}",
                    lost.PeerId,
                    lost.StationId,
                    ex.Message
                );
            }
        });
    }

    private void OnReconnected()
    {
        _logger.LogInformation("Bus reconnected; reconciling");
        RequestReconcile();
    }

    /// <summary>
    /// The loop sleeps until the next thing is due on the injected clock (heartbeat, periodic reconcile, a drain
    /// deadline) or until something asks for it (<see cref="RequestReconcile"/>, a drain order): an idle Munit
    /// wakes once per heartbeat instead of polling.
    /// </summary>
    private async Task RunAsync(CancellationToken ct)
    {
        using var scope = Scope();
        var lastReconcile = _time.GetUtcNow();
        var nextHeartbeat = lastReconcile;
        while (!ct.IsCancellationRequested)
        {
            // Taken before the work, so a wake-up that arrives while it runs is not lost.
            var wake = Volatile.Read(ref _wakeUp);
            if (wake.Task.IsCompleted)
            {
                Interlocked.CompareExchange(
                    ref _wakeUp,
                    new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously),
                    wake
                );
                wake = Volatile.Read(ref _wakeUp);
            }
            TimeSpan wait;
            try
            {
                if (
                    Interlocked.Exchange(ref _reconcileRequested, 0) == 1
                    || _time.GetUtcNow() - lastReconcile >= _options.ReconcileInterval
                )
                {
                    await ReconcileAsync().ConfigureAwait(false);
                    lastReconcile = _time.GetUtcNow();
                }
                if (_time.GetUtcNow() >= nextHeartbeat)
                {
                    await HeartbeatAsync().ConfigureAwait(false);
                    await SweepExpiredAsync().ConfigureAwait(false);
                    nextHeartbeat = _time.GetUtcNow() + _options.HeartbeatInterval;
                }
                await EnforceDrainDeadlineAsync().ConfigureAwait(false);
                // A pass that asked for a reconcile (a lost lease, a sweep that moved stations) gets it at once.
                if (Volatile.Read(ref _reconcileRequested) == 1)
                    continue;
                wait = UntilDue(nextHeartbeat, lastReconcile + _options.ReconcileInterval);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (StateUnavailableException ex)
            {
                // Redis is down: keep forwarding media; the reconnect triggers a reconcile.
                _logger.LogWarning("Store unavailable: {Message}", ex.Message);
                Interlocked.Exchange(ref _reconcileRequested, 1);
                wait = RetryAfterFailure;
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Regulator loop iteration failed");
                wait = RetryAfterFailure;
            }
            await Task.WhenAny(wake.Task, Task.Delay(wait, _time, ct)).ConfigureAwait(false);
        }
    }

    /// <summary>How long the loop may sleep: until the earliest of the heartbeat, the periodic reconcile and a drain
    /// deadline.</summary>
    private TimeSpan UntilDue(DateTimeOffset nextHeartbeat, DateTimeOffset nextReconcile)
    {
        var due = nextHeartbeat < nextReconcile ? nextHeartbeat : nextReconcile;
        lock (_drainLock)
        {
            if (_draining && _drainDeadline is { } deadline)
            {
                var attempt = deadline > _nextDeadlineAttempt ? deadline : _nextDeadlineAttempt;
                if (attempt < due)
                    due = attempt;
            }
        }
        var wait = due - _time.GetUtcNow();
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    /// <summary>After a failed pass the loop tries again soon, but not in a spin (at most a heartbeat, at most a
    /// second).</summary>
    private TimeSpan RetryAfterFailure =>
        _options.HeartbeatInterval < TimeSpan.FromSeconds(1) ? _options.HeartbeatInterval : TimeSpan.FromSeconds(1);

    /// <summary>Asks the loop for a reconcile now (a reconnect, a signal that failed against the store).</summary>
    private void RequestReconcile()
    {
        Interlocked.Exchange(ref _reconcileRequested, 1);
        WakeLoop();
    }

    private void WakeLoop() => Volatile.Read(ref _wakeUp).TrySetResult();

    /// <summary>Refreshes the heartbeat key and the registration with the current load.</summary>
    public async Task HeartbeatAsync()
    {
        var load = _munit.GetLoad();
        var registration = RegistrationWriter.Describe(MunitId, Address, Port, Capacity, load, _draining);
        if (_liveness.Beat(_time.GetUtcNow()))
        {
            _logger.LogWarning(
                "Heartbeats ran up to {Lateness} s late; liveness TTL now {Ttl} s",
                Math.Round(_liveness.WorstLateness.TotalSeconds, 1),
                Math.Round(_liveness.Ttl.TotalSeconds, 1)
            );
        }
        // The renewal is conditional on our lease epoch in one commit: between a separate check and the write,
        // another Regulator could declare us dead and move our stations, and we would write ourselves back.
        if (
            !_registeredOnce
            || !await RegistrationWriter
                .WriteAsync(_store, registration, _liveness.Ttl, _epoch, renew: true)
                .ConfigureAwait(false)
        )
        {
            // Lease lost (we were declared dead, or the store restarted empty): reconcile decides which, closes
            // what moved away and registers again under a new epoch.
            if (_registeredOnce)
            {
                _logger.LogWarning(
                    "Munit {MunitId} lost its lease (declared dead or the store lost its data); reconciling",
                    MunitId
                );
            }

            RequestReconcile();
        }
        if (_draining && load.Stations == 0 && !_reportedDrained)
        {
            _reportedDrained = true;
            _logger.LogInformation("Munit drained: no stations left");
            Drained?.Invoke();
        }
    }

    /// <summary>Moves the stations of every registered Munit whose heartbeat expired.</summary>
    public async Task<int> SweepExpiredAsync()
    {
        int moved = 0;
        foreach (var (munitId, _) in await _store.SortedSetRangeByScoreAsync(MunitKeys.Registry).ConfigureAwait(false))
        {
            if (munitId == MunitId)
                continue;
            if (await _store.ExistsAsync(MunitKeys.Alive(munitId)).ConfigureAwait(false))
                continue;
            int n = await _reassigner.ReassignAsync(munitId, requireExpired: true).ConfigureAwait(false);
            if (n > 0)
                moved += n;
        }
        if (moved > 0)
            RequestReconcile();
        return moved;
    }

    /// <summary>
    /// Makes the Munit's stations match the store. When our registration is gone the store either lost its
    /// data (Redis restarted without persistence) or declared us dead and moved our stations: a station whose
    /// hash now names another Munit is closed here; one whose hash is gone is written back, because the running
    /// Munit is the only record of it left.
    /// </summary>
    public async Task ReconcileAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            bool registered =
                await _store.HashGetAsync(MunitKeys.Info(MunitId), MunitInfoFields.Epoch).ConfigureAwait(false)
                == _epoch;
            var restoredPublishers = new List<string>();
            if (!registered)
            {
                foreach (var stationId in _munit.StationIds)
                {
                    var (owner, _) = await StationIntent.ReadAsync(_store, stationId).ConfigureAwait(false);
                    if (owner is not null && owner != MunitId)
                    {
                        _logger.LogWarning(
                            "Station {StationId} moved to Munit {Owner} while we were away; closing it here",
                            stationId,
                            owner
                        );
                        _munit.CloseStation(stationId);
                    }
                    else if (owner is null && _munit.FindStationDescriptor(stationId) is { } descriptor)
                    {
                        if (await StationIntent.RestoreAsync(_store, MunitId, descriptor).ConfigureAwait(false))
                        {
                            _logger.LogWarning(
                                "Station {StationId} was missing from the store; restored it",
                                stationId
                            );
                            restoredPublishers.Add(descriptor.PublisherId);
                        }
                    }
                }
                var registration = RegistrationWriter.Describe(
                    MunitId,
                    Address,
                    Port,
                    Capacity,
                    _munit.GetLoad(),
                    _draining
                );
                _epoch = RegistrationWriter.NewEpoch();
                await RegistrationWriter
                    .WriteAsync(_store, registration, _liveness.Ttl, _epoch, renew: false)
                    .ConfigureAwait(false);
                _registeredOnce = true;
                _logger.LogInformation("Registered Munit {MunitId} (lease epoch {Epoch})", MunitId, _epoch);
                if (restoredPublishers.Count > 0)
                {
                    // Signaling lost these publishers' connections with the data: it tells them to rejoin now rather
                    // than at their next heartbeat, and has the stations closed before the rejoins make new ones.
                    await _bus.PublishAsync(
                            MunitKeys.RestoredChannel,
                            SignalJson.Serialize(new StationsRestoredEvent(MunitId, restoredPublishers))
                        )
                        .ConfigureAwait(false);
                }
            }

            var desired = new HashSet<string>(
                await _store.SetMembersAsync(MunitKeys.Stations(MunitId)).ConfigureAwait(false),
                StringComparer.Ordinal
            );
            foreach (var stationId in desired)
            {
                if (_munit.HasStation(stationId))
                    continue;
                var (owner, descriptor) = await StationIntent.ReadAsync(_store, stationId).ConfigureAwait(false);
                if (descriptor is null || owner is not null && owner != MunitId)
                    continue;
                if (_munit.CreateStation(descriptor))
                    _logger.LogInformation("Reconcile created station {StationId}", stationId);
            }
            foreach (var stationId in _munit.StationIds)
            {
                if (desired.Contains(stationId))
                    continue;
                if (_munit.CloseStation(stationId))
                    _logger.LogInformation("Reconcile closed station {StationId} (no longer assigned here)", stationId);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task OnMessageAsync(string message)
    {
        if (_stopped)
            return;
        using var scope = Scope();
        var signal = SignalJson.TryParse(message, out var error);
        if (signal is null)
        {
            _logger.LogWarning("Dropped a signal this Regulator does not understand: {Error}", error);
            return;
        }
        try
        {
            switch (signal)
            {
                case AssignSignal assign:
                    await OnAssignAsync(assign).ConfigureAwait(false);
                    break;
                case UnassignSignal unassign:
                    await OnUnassignAsync(unassign).ConfigureAwait(false);
                    break;
                case DrainSignal drain:
                    lock (_drainLock)
                    {
                        _draining = true;
                        _drainDeadline = drain.DeadlineSeconds is { } seconds
                            ? _time.GetUtcNow() + TimeSpan.FromSeconds(seconds)
                            : null;
                        _nextDeadlineAttempt = default;
                    }
                    WakeLoop(); // the loop's next wake-up now includes the deadline
                    _reportedDrained = false;
                    if (drain.DeadlineSeconds is { } limit)
                    {
                        _logger.LogInformation(
                            "Draining: no new stations; the {Stations} here are handed over in {Deadline} s unless they end first",
                            _munit.StationIds.Count,
                            limit
                        );
                    }
                    else
                    {
                        _logger.LogInformation("Draining: no new stations");
                    }
                    await HeartbeatAsync().ConfigureAwait(false);
                    break;
                case ReviveSignal:
                    lock (_drainLock)
                    {
                        _draining = false;
                        _drainDeadline = null;
                    }
                    _logger.LogInformation("Revived: accepting stations again");
                    await HeartbeatAsync().ConfigureAwait(false);
                    break;
                case StopSignal:
                    _logger.LogInformation("Stop ordered");
                    StopRequested?.Invoke();
                    break;
                case MediaRequest request:
                    await OnMediaRequestAsync(request).ConfigureAwait(false);
                    break;
                case PeerGoneSignal gone:
                    await OnPeerGoneAsync(gone).ConfigureAwait(false);
                    break;
            }
        }
        catch (StateUnavailableException ex)
        {
            _logger.LogWarning(
                ex,
                "Store unavailable while handling {Signal}; the next reconcile catches up",
                signal.GetType().Name
            );
            RequestReconcile();
        }
    }

    private async Task OnAssignAsync(AssignSignal assign)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_draining && !_munit.HasStation(assign.StationId))
            {
                _logger.LogWarning("Refused station {StationId}: draining", assign.StationId);
                return;
            }
            // The Assign is only a nudge; the keys are the intent. A stale Assign for a station that has
            // since moved or closed must not resurrect it.
            var (owner, descriptor) = await StationIntent.ReadAsync(_store, assign.StationId).ConfigureAwait(false);
            if (owner is not null && owner != MunitId)
            {
                _logger.LogWarning(
                    "Ignored Assign of station {StationId}: the store places it on {Owner}",
                    assign.StationId,
                    owner
                );
                return;
            }
            if (_munit.CreateStation(descriptor ?? StationIntent.FromAssign(assign)))
            {
                _logger.LogInformation(
                    "Assigned station {StationId} of room {RoomId}",
                    assign.StationId,
                    assign.RoomId
                );
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task OnUnassignAsync(UnassignSignal unassign)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_munit.CloseStation(unassign.StationId))
                _logger.LogInformation("Unassigned station {StationId}", unassign.StationId);
        }
        finally
        {
            _gate.Release();
        }
        if (_draining)
            await HeartbeatAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Signaling lost every record of a connection and told its client to reconnect: the stations it publishes here
    /// are closed with their keys (the rejoin makes a new one; the old one must not live beside it) and it stops
    /// receiving every other station.
    /// </summary>
    private async Task OnPeerGoneAsync(PeerGoneSignal gone)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var stationId in _munit.StationIds)
            {
                if (_munit.FindStationDescriptor(stationId) is not { } station)
                    continue;
                if (station.PublisherId == gone.PeerId)
                {
                    await StationIntent.ForgetAsync(_store, MunitId, station).ConfigureAwait(false);
                    if (_munit.CloseStation(stationId))
                    {
                        _logger.LogWarning(
                            "Closed station {StationId}: signaling lost its publisher {PeerId}, which rejoins with a new one",
                            stationId,
                            gone.PeerId
                        );
                    }
                }
                else
                {
                    // Refused harmlessly when the peer does not watch this station.
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    await _munit
                        .HandleAsync(new MediaCommand(MediaOp.Leave, stationId, gone.PeerId), timeout.Token)
                        .ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task OnMediaRequestAsync(MediaRequest request)
    {
        MediaResponse response;
        if (!MediaRequestMapper.TryMap(request, out var command))
        {
            response = new MediaResponse(request.RequestId, false)
            {
                Error = $"unknown op '{request.Op}' or missing station/peer",
            };
        }
        else
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var result = await _munit.HandleAsync(command!, timeout.Token).ConfigureAwait(false);
            response = new MediaResponse(request.RequestId, result.Ok) { Sdp = result.Sdp, Error = result.Error };
        }
        if (string.IsNullOrEmpty(request.ReplyTo))
            return; // fire-and-forget (leave)
        await _bus.PublishAsync(request.ReplyTo, SignalJson.Serialize(response)).ConfigureAwait(false);
    }

    private IDisposable? Scope() => _logger.BeginScope("Munit {MunitId}", MunitId);
}
