namespace MobZ.Munit.Congestion;

/// <summary>
/// Probing toward one viewer: when the layers it asked for need more than its send-side estimate, a short cluster
/// raises what the Munit sends it to a target rate with padding (the media flows as usual; padding fills the gap),
/// and the viewer's feedback about that cluster (<see cref="ProbeClusterMeter"/>) says whether the link carried it.
/// Without this an estimate can only grow about half again past what the viewer already gets, so a viewer moved to
/// a lower layer (by real congestion, or a false overuse on a busy machine) would never be offered the higher one
/// again. Targets double at most per cluster; a cluster that the link did not carry backs the next one off (1 s,
/// then doubling to <see cref="MaxBackoffMs"/>), one that it did lets the next follow soon.
/// Pure state: the owner's tick asks <see cref="TryStart"/> and <see cref="PaddingDue"/> and sends the padding;
/// no clock, lock or allocation of its own.
/// </summary>
public sealed class Prober
{
    /// <summary>How long a cluster raises the rate: long enough to span several 20 ms ticks and feedback
    /// intervals, short enough that a link without room queues little.</summary>
    public const long ClusterMs = 200;

    /// <summary>The most a cluster asks of the link, relative to the estimate.</summary>
    public const double MaxStep = 2.0;

    /// <summary>The least a cluster asks, relative to the estimate (a smaller step would say little).</summary>
    public const double MinStep = 1.25;

    public const long InitialBackoffMs = 1000;
    public const long MaxBackoffMs = 4000;

    /// <summary>After a cluster the link carried, the next may start this soon (the estimate and the layers it
    /// allows settle first).</summary>
    public const long AfterSuccessMs = 500;

    // A cluster that reaches this fraction of its target counts as carried.
    private const double SuccessFraction = 0.8;

    // The result of a cluster is abandoned if the meter never gives one (no feedback at all).
    private const long ResultTimeoutMs = ProbeClusterMeter.SettleMs + 1000;

    private int _lastId;
    private long _startMs;
    private long _lastPaddingMs;
    private double _paddingBudget; // bytes
    private long _paddingBps;
    private long _nextAllowedMs = long.MinValue;
    private long _backoffMs = InitialBackoffMs;
    private int _awaiting; // cluster sent, result not in yet
    private long _awaitingSinceMs;

    /// <summary>The cluster on now: every packet the viewer is sent is part of it (0: none).</summary>
    public int ActiveCluster { get; private set; }

    /// <summary>The rate the active (or last) cluster aims at, bit/s.</summary>
    public long TargetBps { get; private set; }

    /// <summary>Clusters started, carried by the link, and not carried (stats).</summary>
    public long Started { get; private set; }
    public long Succeeded { get; private set; }
    public long Failed { get; private set; }

    /// <summary>The last cluster's measured rate, bit/s (0: none or failed).</summary>
    public long LastResultBps { get; private set; }

    /// <summary>Padding bytes sent for probing.</summary>
    public long PaddingBytes { get; private set; }

    /// <summary>
    /// Starts a cluster when the viewer wants more than its estimate allows and none is on, none is awaited, and the
    /// backoff has passed.
    /// </summary>
    /// <param name="estimate">the viewer's estimate, bit/s (0: none, nothing caps it, nothing to probe).</param>
    /// <param name="wanted">what its layers need (with the headroom a layer switch up requires), bit/s.</param>
    /// <param name="sending">what the Munit sends it now (its media), bit/s.</param>
    /// <returns>the new cluster's id, or 0.</returns>
    public int TryStart(long estimate, long wanted, long sending, long nowMs)
    {
        if (ActiveCluster != 0 || _awaiting != 0 || estimate <= 0 || wanted <= estimate || nowMs < _nextAllowedMs)
            return 0;
        long target = Math.Clamp(wanted, (long)(estimate * MinStep), (long)(estimate * MaxStep));
        TargetBps = target;
        _paddingBps = Math.Max(0, target - sending);
        _startMs = nowMs;
        _lastPaddingMs = nowMs;
        // A tick's worth up front: the cluster starts now, not a tick later.
        _paddingBudget = _paddingBps * 20 / 8000.0;
        ActiveCluster = ++_lastId;
        if (_lastId == int.MaxValue)
            _lastId = 0;
        Started++;
        return ActiveCluster;
    }

    /// <summary>
    /// Padding bytes owed now to keep the active cluster at its target; ends the cluster after
    /// <see cref="ClusterMs"/> (then returns 0, and <paramref name="ended"/> names it).
    /// </summary>
    public int PaddingDue(long nowMs, out int ended)
    {
        ended = 0;
        if (ActiveCluster == 0)
            return 0;
        if (nowMs - _startMs >= ClusterMs)
        {
            ended = ActiveCluster;
            _awaiting = ActiveCluster;
            _awaitingSinceMs = nowMs;
            ActiveCluster = 0;
            _paddingBudget = 0;
            return 0;
        }

        _paddingBudget += _paddingBps * Math.Max(0, nowMs - _lastPaddingMs) / 8000.0;
        _lastPaddingMs = nowMs;
        return _paddingBudget < 1 ? 0 : (int)_paddingBudget;
    }

    /// <summary>Padding actually sent (what <see cref="PaddingDue"/> asked for, or less).</summary>
    public void OnPaddingSent(int bytes)
    {
        _paddingBudget = Math.Max(0, _paddingBudget - bytes);
        PaddingBytes += bytes;
    }

    /// <summary>The meter's verdict on a cluster.</summary>
    /// <returns>true when the link carried it (its rate may then raise the estimate).</returns>
    public bool OnResult(int cluster, long bitsPerSecond, long nowMs)
    {
        if (cluster != _awaiting)
            return false;
        _awaiting = 0;
        LastResultBps = bitsPerSecond;
        bool carried = bitsPerSecond >= SuccessFraction * TargetBps;
        if (carried)
        {
            Succeeded++;
            _backoffMs = InitialBackoffMs;
            _nextAllowedMs = nowMs + AfterSuccessMs;
        }
        else
        {
            Fail(nowMs);
        }
        return carried;
    }

    /// <summary>Gives up on a cluster whose result never came (no feedback).</summary>
    public void Tick(long nowMs)
    {
        if (_awaiting != 0 && nowMs - _awaitingSinceMs >= ResultTimeoutMs)
        {
            _awaiting = 0;
            LastResultBps = 0;
            Fail(nowMs);
        }
    }

    private void Fail(long nowMs)
    {
        Failed++;
        _nextAllowedMs = nowMs + _backoffMs;
        _backoffMs = Math.Min(MaxBackoffMs, _backoffMs * 2);
    }
}
