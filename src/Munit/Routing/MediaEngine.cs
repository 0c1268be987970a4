using Microsoft.Extensions.Logging;
using MobZ.Munit.Buffers;
using MobZ.Rtc.Rtcp;
using MobZ.Rtc.Transport;

namespace MobZ.Munit.Routing;

/// <summary>
/// A media worker's core: the forwarder, the RTCP reporter, every publisher and viewer placed on the worker, and the
/// lock that orders the packet path against control changes. Packets arrive on the worker's receive thread, and so
/// does the periodic tick when the engine runs on the worker's loop (<see cref="Start(LoopTimerQueue)"/>), so the lock
/// is contended only by control changes (the forwarding benchmark includes it).
/// </summary>
public sealed class MediaEngine : IDisposable
{
    public const int TickIntervalMs = 20;

    private readonly List<Publisher> _publishers = [];
    private readonly List<Subscriber> _subscribers = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;
    private long _lastReportMs;
    private readonly TimeProvider _time;
    private readonly long _ticksPerMs;
    private readonly long _ticksPerMicrosecond;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private bool _asleep = true;
    private long _tickCount;
    private Task? _ticker;
    private LoopTimerQueue? _loop;
    private EngineTick? _loopTick;

    /// <param name="time">The clock of every media timer and of the periodic tick (tests pass a fake clock); the system
    /// clock when null.</param>
    /// <param name="logger">congestion control at debug (REMB estimates, the first transport-cc feedback).</param>
    public MediaEngine(IPacketBufferPool? pool = null, TimeProvider? time = null, ILogger? logger = null)
    {
        _time = time ?? TimeProvider.System;
        _ticksPerMs = Math.Max(1, _time.TimestampFrequency / 1000);
        _ticksPerMicrosecond = Math.Max(1, _time.TimestampFrequency / 1_000_000);
        Pool = pool ?? PacketBufferPool.Shared;
        Forwarder = new Forwarder(Pool, _time);
        Reporter = new RtcpReporter(Pool, Forwarder.Totals, logger);
    }

    public IPacketBufferPool Pool { get; }
    public Forwarder Forwarder { get; }
    public RtcpReporter Reporter { get; }

    /// <summary>Monotonic milliseconds of the engine's clock: the clock of every media timer.</summary>
    public long NowMs => _time.GetTimestamp() / _ticksPerMs;

    /// <summary>Wall-clock time in NTP format, for sender reports and round-trip times.</summary>
    public ulong NtpNow => NtpTime.FromDateTime(_time.GetUtcNow().UtcDateTime);

    /// <summary>
    /// Starts the periodic tick (RTCP, NACKs, keyframe retries, layer choice) on a background task. The tick runs
    /// every <see cref="TickIntervalMs"/> while a publisher or viewer is attached; with nobody attached there is
    /// no periodic work, so the task drops its timer and waits for the next <c>Add</c> (an idle Munit then
    /// costs no wake-ups at all).
    /// </summary>
    public void Start()
    {
        _ticker ??= Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await _wake.WaitAsync(_stop.Token).ConfigureAwait(false);
                    using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(TickIntervalMs), _time);
                    while (
                        await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false)
                        && TickUnlessIdle(NowMs, NtpNow)
                    )
                    {
                        Interlocked.Increment(ref _tickCount);
                    }
                }
            }
            catch (OperationCanceledException) { }
        });
    }

    /// <summary>
    /// Runs the periodic tick on a media worker's loop instead (<see cref="RtcUdpTransport.Timers"/>): on the thread
    /// that forwards this engine's packets, between its datagram batches, so reports, NACKs and layer choices never
    /// wait for the packet path nor it for them, and their RTCP leaves in the loop's send batch. Same rule as
    /// <see cref="Start()"/>: no tick while nobody is attached.
    /// </summary>
    public void Start(LoopTimerQueue loop)
    {
        lock (_gate)
        {
            if (_ticker is not null || _loop is not null)
                return;
            _loop = loop;
            _loopTick = new EngineTick(this);
            if (!_asleep)
                ScheduleLoopTickLocked();
        }
    }

    private void ScheduleLoopTickLocked() =>
        _loop!.Schedule(_loopTick!, _time.GetTimestamp() + TickIntervalMs * _ticksPerMs);

    /// <summary>The tick as loop work: runs, then asks for the next round unless the engine went idle.</summary>
    private sealed class EngineTick(MediaEngine engine) : ILoopTimer
    {
        public long? OnDue(long now)
        {
            if (Volatile.Read(ref engine._disposed) != 0 || !engine.TickUnlessIdle(engine.NowMs, engine.NtpNow))
                return null;
            Interlocked.Increment(ref engine._tickCount);
            return now + TickIntervalMs * engine._ticksPerMs;
        }
    }

    public void Add(Publisher publisher)
    {
        lock (_gate)
        {
            _publishers.Add(publisher);
            WakeLocked();
        }
    }

    public void Remove(Publisher publisher)
    {
        lock (_gate)
        {
            if (_publishers.Remove(publisher) && publisher.Estimator is not null)
                Forwarder.Totals.RembEstimate -= publisher.RembSent;
        }
    }

    public void Add(Subscriber subscriber)
    {
        lock (_gate)
        {
            _subscribers.Add(subscriber);
            WakeLocked();
        }
    }

    public void Remove(Subscriber subscriber)
    {
        lock (_gate)
        {
            if (_subscribers.Remove(subscriber))
                Forwarder.Totals.ViewerEstimateChanged(subscriber.TransportCcEstimateBps, 0);
        }
    }

    /// <summary>
    /// Runs a control change of the routing tables (<see cref="StationRouter"/>) under the media lock, so it is ordered
    /// against the packet path and the tick. The scope is a ref struct: it cannot be held across an await.
    /// </summary>
    internal Lock.Scope EnterControl() => _gate.EnterScope();

    /// <summary>The viewer's transport came up (its consumers start over at a key frame) or went down.</summary>
    public void SetReady(Subscriber subscriber, bool ready)
    {
        lock (_gate)
            subscriber.SetReady(ready, NowMs);
    }

    /// <summary>Whether the viewer's latest answer kept goog-remb (see <see
    /// cref="Subscriber.RembNegotiated"/>).</summary>
    public void SetRembNegotiated(Subscriber subscriber, bool negotiated)
    {
        lock (_gate)
            subscriber.RembNegotiated = negotiated;
    }

    /// <summary>What the viewer's answer negotiated of transport-cc (see <see
    /// cref="Subscriber.ConfigureTransportCc"/>).</summary>
    public void SetTransportCc(Subscriber subscriber, int extensionId, bool feedback)
    {
        lock (_gate)
        {
            long before = subscriber.TransportCcEstimateBps;
            subscriber.ConfigureTransportCc(extensionId, feedback);
            Forwarder.Totals.ViewerEstimateChanged(before, subscriber.TransportCcEstimateBps);
        }
    }

    /// <summary>Rounds of periodic work the engine's own timer has run since <see cref="Start"/>.</summary>
    public long TickCount => Interlocked.Read(ref _tickCount);

    public int PublisherCount
    {
        get
        {
            lock (_gate)
                return _publishers.Count;
        }
    }
    public int SubscriberCount
    {
        get
        {
            lock (_gate)
                return _subscribers.Count;
        }
    }

    // Transport callbacks. Each takes the lock once per datagram.

    public void OnPublisherRtp(Publisher publisher, Span<byte> packet)
    {
        long now = _time.GetTimestamp();
        lock (_gate)
            Forwarder.OnPublisherRtp(publisher, packet, now / _ticksPerMs, now / _ticksPerMicrosecond);
    }

    public void OnPublisherRtp(Publisher publisher, Span<byte> packet, long nowMs)
    {
        lock (_gate)
            Forwarder.OnPublisherRtp(publisher, packet, nowMs);
    }

    public void OnPublisherRtcp(Publisher publisher, ReadOnlySpan<byte> datagram) =>
        OnPublisherRtcp(publisher, datagram, NowMs);

    public void OnPublisherRtcp(Publisher publisher, ReadOnlySpan<byte> datagram, long nowMs)
    {
        lock (_gate)
            RtcpReceiver.OnPublisherRtcp(publisher, datagram, nowMs);
    }

    public void OnSubscriberRtcp(Subscriber subscriber, ReadOnlySpan<byte> datagram) =>
        OnSubscriberRtcp(subscriber, datagram, NowMs, NtpNow);

    public void OnSubscriberRtcp(Subscriber subscriber, ReadOnlySpan<byte> datagram, long nowMs, ulong ntpNow)
    {
        lock (_gate)
            RtcpReceiver.OnViewerRtcp(Forwarder, subscriber, datagram, nowMs, ReportMath.NtpMiddle32(ntpNow));
    }

    // The ticker sets _asleep (under the lock) when it finds nobody, and only then waits on _wake; an Add releases
    // _wake once per sleep, so a wake-up is never lost and the semaphore never holds more than one release.
    private void WakeLocked()
    {
        if (!_asleep)
            return;
        _asleep = false;
        if (_loop is not null)
            ScheduleLoopTickLocked();
        else
            _wake.Release();
    }

    private bool TickUnlessIdle(long nowMs, ulong ntpNow)
    {
        lock (_gate)
        {
            if (_publishers.Count == 0 && _subscribers.Count == 0)
            {
                _asleep = true;
                return false;
            }
            Tick(nowMs, ntpNow);
            return true;
        }
    }

    /// <summary>One round of periodic work; public so tests drive time themselves.</summary>
    public void Tick(long nowMs, ulong ntpNow)
    {
        lock (_gate)
        {
            bool reportDue = nowMs - _lastReportMs >= RtcpReporter.ReportIntervalMs;
            if (reportDue)
                _lastReportMs = nowMs;
            foreach (var p in _publishers)
                Reporter.TickPublisher(p, nowMs, reportDue);
            foreach (var s in _subscribers)
            {
                Reporter.TickSubscriber(s, nowMs, ntpNow, reportDue);
                Forwarder.Probe(s, nowMs);
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _stop.Cancel();
        try
        {
            _ticker?.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException) { }
        _stop.Dispose();
        // _wake stays undisposed: a station torn down after the engine may still Add or Remove, and a
        // SemaphoreSlim whose wait handle was never asked for holds nothing to release.
    }
}
