using MobZ.Munit.Congestion;

namespace MobZ.Munit.Routing;

/// <summary>
/// One viewer's peer connection on this Munit. It may carry tracks of several stations (Janus multistream),
/// each a <see cref="Consumer"/>; its bandwidth estimate is shared among its tracks (<see cref="StreamAllocator"/>):
/// the Munit's own send-side estimate from the viewer's transport-cc feedback when it negotiated that, else the
/// viewer's REMB.
/// </summary>
public sealed class Subscriber(string peerId, IPeerOutput output)
{
    private Consumer[] _consumers = [];

    public string PeerId { get; } = peerId;

    /// <summary>
    /// False until the viewer's transport can deliver (DTLS done). Packets are not even considered before: a
    /// key frame forwarded into a connection that is not up yet would be lost, and the viewer would then wait
    /// for the next one (some receivers never ask).
    /// </summary>
    public bool Ready => Volatile.Read(ref _ready);

    /// <summary>The transport came up (every consumer then starts over at a key frame) or went down.</summary>
    public void SetReady(bool value, long nowMs)
    {
        if (Volatile.Read(ref _ready) == value)
            return;
        Volatile.Write(ref _ready, value);
        if (value)
        {
            foreach (var c in Consumers)
                c.RequireSync(nowMs);
        }
    }

    private bool _ready = true;
    public IPeerOutput Output { get; set; } = output;
    public Consumer[] Consumers => Volatile.Read(ref _consumers);
    public long BandwidthBps { get; private set; }
    public long RembReceived { get; set; }

    /// <summary>
    /// Whether the viewer's answer kept goog-remb. Chromium sends REMB from its receive-side estimate whether or
    /// not it was negotiated (about five seconds after media starts, from what arrives then), so a viewer that
    /// declined it would otherwise still have its layer capped, by an estimate it never agreed to give.
    /// Turning it off drops the estimate the viewer gave before.
    /// </summary>
    public bool RembNegotiated
    {
        get => _rembNegotiated;
        set
        {
            _rembNegotiated = value;
            if (!value && BandwidthBps > 0)
                SetBandwidth(0);
        }
    }

    private bool _rembNegotiated = true;

    /// <summary>
    /// The id the viewer's answer gave the transport-wide sequence number (0: none). With the transport-cc feedback
    /// negotiated too, <see cref="TransportCc"/> numbers every packet toward the viewer under it; without, whatever a
    /// publisher put under that id is blanked so the viewer does not read the publisher's numbers as ours.
    /// </summary>
    public int TransportCcExtensionId { get; private set; }

    /// <summary>Numbers and records every packet toward the viewer when it negotiated transport-cc (null: it did
    /// not).</summary>
    public TransportCcSender? TransportCc { get; private set; }

    /// <summary>What the viewer's answer negotiated; a new answer with the same id keeps the counter running.</summary>
    public void ConfigureTransportCc(int extensionId, bool feedback)
    {
        TransportCcExtensionId = Math.Max(0, extensionId);
        var before = TransportCc;
        if (extensionId <= 0 || !feedback)
            TransportCc = null;
        else if (TransportCc?.ExtensionId != extensionId)
            TransportCc = new TransportCcSender(extensionId);
        if (!ReferenceEquals(before, TransportCc))
        {
            // Another source (or a fresh estimator): what the old one said no longer holds.
            TransportCcEstimateBps = 0;
            if (BandwidthBps > 0)
                SetBandwidth(0);
        }
    }

    /// <summary>The send-side estimate the viewer's bandwidth follows now (0: none yet, or no transport-cc).</summary>
    public long TransportCcEstimateBps { get; private set; }

    /// <summary>Where <see cref="BandwidthBps"/> comes from.</summary>
    public string? BandwidthSource =>
        TransportCc is not null ? "transport-cc"
        : RembNegotiated ? "remb"
        : null;

    /// <summary>Takes the send-side estimate after the viewer's feedback moved it: it is the viewer's bandwidth
    /// (0 lifts the cap: no congestion seen yet).</summary>
    public void ApplyTransportCcEstimate()
    {
        if (TransportCc is not { } transportCc || transportCc.Estimator.Estimate == TransportCcEstimateBps)
            return;
        TransportCcEstimateBps = transportCc.Estimator.Estimate;
        SetBandwidth(TransportCcEstimateBps);
    }

    /// <summary>Probe verdicts logged so far (the tick logs each new one).</summary>
    public long LoggedProbes { get; set; }

    /// <summary>SSRC the Munit uses as sender of RTCP toward this viewer.</summary>
    public uint RtcpSsrc { get; } = (uint)Random.Shared.NextInt64(1, uint.MaxValue);

    public void Add(Consumer consumer) => Volatile.Write(ref _consumers, [.. _consumers, consumer]);

    public void Remove(Consumer consumer) =>
        Volatile.Write(ref _consumers, _consumers.Where(c => c != consumer).ToArray());

    public Consumer? FindBySsrc(uint ssrc)
    {
        foreach (var c in Consumers)
        {
            if (c.Ssrc == ssrc || c.RtxSsrc == ssrc && ssrc != 0)
                return c;
        }

        return null;
    }

    /// <summary>A REMB from the viewer: its estimate, unless the viewer did not negotiate REMB or the Munit estimates
    /// for itself from its transport-cc feedback.</summary>
    public void OnRemb(long bps)
    {
        RembReceived++;
        if (RembNegotiated && TransportCc is null)
            SetBandwidth(Math.Max(1, bps)); // a REMB of 0 is an estimate too, not "no cap"
    }

    /// <summary>
    /// What the viewer's tracks need at the layers it asked for, bandwidth aside (bit/s): what each audio track
    /// brings in and each video track's wanted layer (what probing aims for).
    /// </summary>
    public long WantedBitrate(long nowMs)
    {
        long wanted = 0;
        foreach (var c in Consumers)
            wanted += c.Producer.Kind == MediaKind.Video ? c.WantedBitrate(nowMs) : c.Producer.Bitrate(0, nowMs);
        return wanted;
    }

    /// <summary>The viewer's estimate (0 lifts the cap), shared among its tracks by the
    /// <see cref="StreamAllocator"/> on the next tick (the tick has the clock; the selectors only move on a tick
    /// anyway).</summary>
    public void SetBandwidth(long bps) => BandwidthBps = Math.Max(0, bps);

    /// <summary>Shares the estimate among the tracks (layer bitrates move); from the tick.</summary>
    public void Allocate(long nowMs) =>
        StreamAllocator.Allocate(this, BandwidthBps, nowMs, mayPause: TransportCc is not null);
}
