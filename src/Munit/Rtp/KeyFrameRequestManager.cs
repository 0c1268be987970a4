namespace MobZ.Munit.Rtp;

/// <summary>Sends a keyframe request (PLI, or FIR when the publisher only negotiated FIR) for one SSRC.</summary>
public interface IKeyFrameRequester
{
    void RequestKeyFrame(uint ssrc);
}

/// <summary>
/// Every keyframe request toward a publisher goes through here (mediasoup's KeyFrameRequestManager idea):
/// <list type="bullet">
/// <item>dedup — while a request is outstanding, further asks for the same SSRC add nothing;</item>
/// <item>retry — an outstanding request that got no keyframe in <see cref="RetryMs"/> is sent again, a few
/// times;</item>
/// <item>throttle — never more than one request per SSRC per <see cref="ThrottleMs"/>: a viewer storm of PLIs
/// (200 viewers joining) must not make the publisher's encoder emit nothing but keyframes.</item>
/// </list>
/// Time is passed in (milliseconds on any monotonic clock) so the logic is tested without waiting.
/// </summary>
public sealed class KeyFrameRequestManager
{
    public const long DefaultThrottleMs = 500;
    public const long DefaultRetryMs = 1000;
    public const int DefaultMaxRetries = 5;

    private IKeyFrameRequester _requester;
    private Entry[] _entries = new Entry[4];
    private int _count;

    private struct Entry
    {
        public uint Ssrc;
        public bool Outstanding; // sent, keyframe not seen yet
        public bool Deferred; // asked for while throttled; send when the throttle ends
        public long LastSentMs;
        public int Retries;
    }

    public KeyFrameRequestManager(
        IKeyFrameRequester requester,
        long throttleMs = DefaultThrottleMs,
        long retryMs = DefaultRetryMs,
        int maxRetries = DefaultMaxRetries
    )
    {
        _requester = requester;
        ThrottleMs = throttleMs;
        RetryMs = retryMs;
        MaxRetries = maxRetries;
    }

    /// <summary>Where requests go; replaced when the publisher reconnects.</summary>
    public IKeyFrameRequester Requester
    {
        get => _requester;
        set => _requester = value;
    }

    public long ThrottleMs { get; }
    public long RetryMs { get; }
    public int MaxRetries { get; }

    /// <summary>Requests sent to the publisher so far (after dedup and throttling).</summary>
    public long RequestsSent { get; private set; }

    /// <summary>Asks received (from subscribers and layer switches), before dedup and throttling.</summary>
    public long RequestsAsked { get; private set; }

    public void KeyFrameNeeded(uint ssrc, long nowMs)
    {
        RequestsAsked++;
        ref Entry e = ref Find(ssrc);
        if (e.Outstanding || e.Deferred)
            return;
        if (e.LastSentMs != 0 && nowMs - e.LastSentMs < ThrottleMs)
        {
            e.Deferred = true;
            return;
        }
        Send(ref e, nowMs);
        e.Retries = 0;
    }

    /// <summary>The publisher sent a keyframe on <paramref name="ssrc"/>: whatever was asked for is
    /// satisfied.</summary>
    public void KeyFrameReceived(uint ssrc)
    {
        for (int i = 0; i < _count; i++)
        {
            if (_entries[i].Ssrc != ssrc)
                continue;
            _entries[i].Outstanding = false;
            _entries[i].Deferred = false;
            _entries[i].Retries = 0;
        }
    }

    /// <summary>Runs retries and deferred sends that are due; call every few tens of milliseconds.</summary>
    public void Tick(long nowMs)
    {
        for (int i = 0; i < _count; i++)
        {
            ref Entry e = ref _entries[i];
            if (e.Deferred && nowMs - e.LastSentMs >= ThrottleMs)
            {
                e.Deferred = false;
                Send(ref e, nowMs);
                e.Retries = 0;
            }
            else if (e.Outstanding && nowMs - e.LastSentMs >= RetryMs)
            {
                if (e.Retries >= MaxRetries)
                {
                    e.Outstanding = false; // give up; the next ask starts again
                    continue;
                }
                e.Retries++;
                Send(ref e, nowMs);
            }
        }
    }

    /// <summary>Stops tracking an SSRC (publisher restarted or layer gone).</summary>
    public void Forget(uint ssrc)
    {
        for (int i = 0; i < _count; i++)
        {
            if (_entries[i].Ssrc != ssrc)
                continue;
            _entries[i] = _entries[--_count];
            return;
        }
    }

    private void Send(ref Entry e, long nowMs)
    {
        // 0 is "never sent"; a clock that starts at 0 still throttles from the first send.
        e.LastSentMs = nowMs == 0 ? 1 : nowMs;
        e.Outstanding = true;
        RequestsSent++;
        _requester.RequestKeyFrame(e.Ssrc);
    }

    private ref Entry Find(uint ssrc)
    {
        for (int i = 0; i < _count; i++)
        {
            if (_entries[i].Ssrc == ssrc)
                return ref _entries[i];
        }

        if (_count == _entries.Length)
            Array.Resize(ref _entries, _count * 2);
        _entries[_count] = new Entry { Ssrc = ssrc };
        return ref _entries[_count++];
    }
}
