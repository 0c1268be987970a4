using MobZ.Munit.Control;
using MobZ.Munit.Tap;

namespace MobZ.Munit.Routing;

/// <summary>
/// The routing table of one station (mediasoup's Router): its publisher's producers and, per viewer, the
/// consumers of them. Producers outlive a publisher's peer connection so that a publisher that reconnects
/// (a new Publish on the same station) continues into the same viewer tracks.
/// All methods take the engine lock; none runs on the packet path.
/// </summary>
public sealed class StationRouter : IDisposable
{
    private readonly MediaEngine _engine;
    private readonly Dictionary<string, List<Consumer>> _viewers = new(StringComparer.Ordinal);
    private Producer[] _producers = [];
    private readonly List<Subscriber> _tapSubscribers = [];
    private IStationTap? _tap;
    private long _keyFrameRequestsFromTap;

    public StationRouter(MediaEngine engine, StationDescriptor station)
    {
        _engine = engine;
        Station = station;
    }

    public StationDescriptor Station { get; }
    public Publisher? Publisher { get; private set; }
    public Producer[] Producers
    {
        get
        {
            using (_engine.EnterControl())
                return _producers;
        }
    }
    public int ViewerCount
    {
        get
        {
            using (_engine.EnterControl())
                return _viewers.Count;
        }
    }

    /// <summary>
    /// Attaches a publisher's tracks. Tracks of the same kind and codec as before reuse their producer (the
    /// viewers' tracks continue); others get a new producer, and the viewers that watched the old one lose it.
    /// </summary>
    public Publisher AttachPublisher(
        string peerId,
        IPeerOutput output,
        IReadOnlyList<PublishedTrack> tracks,
        PublisherExtensions extensions
    )
    {
        using (_engine.EnterControl())
        {
            if (Publisher is not null)
                DetachPublisherLocked();
            var publisher = new Publisher(peerId, output, _engine.Pool)
            {
                MidExtensionId = extensions.Mid,
                RidExtensionId = extensions.Rid,
                RepairedRidExtensionId = extensions.RepairedRid,
                KeyFramesByFir = extensions.KeyFramesByFir,
                TransportCcExtensionId = extensions.TransportCc,
                AbsSendTimeExtensionId = extensions.AbsSendTime,
                Totals = _engine.Forwarder.Totals,
            };
            var producers = new Producer[tracks.Count];
            for (int i = 0; i < tracks.Count; i++)
            {
                var t = tracks[i];
                var reuse = _producers.FirstOrDefault(p =>
                    p.Kind == t.Kind && p.Codec == t.Codec && p.Layers.Length == t.Rids.Count && !producers.Contains(p)
                );
                if (reuse is not null)
                {
                    reuse.PayloadType = t.PayloadType;
                    reuse.RtxPayloadType = t.RtxPayloadType;
                    reuse.AbsSendTimeId = t.AbsSendTimeId;
                    reuse.KeyFrames.Requester = publisher;
                    producers[i] = reuse;
                }
                else
                {
                    producers[i] = new Producer(
                        $"{Station.StationId}-{t.Kind.ToString().ToLowerInvariant()}",
                        t.Kind,
                        t.Codec,
                        t.PayloadType,
                        t.ClockRate,
                        t.Rids,
                        publisher
                    )
                    {
                        RtxPayloadType = t.RtxPayloadType,
                        AbsSendTimeId = t.AbsSendTimeId,
                    };
                }
            }
            foreach (var old in _producers.Where(p => !producers.Contains(p)))
                DropProducerLocked(old);
            _producers = producers;
            publisher.SetProducers(producers, tracks.Select(t => t.Mid).ToArray());
            Publisher = publisher;
            _engine.Add(publisher);
            return publisher;
        }
    }

    /// <summary>The publisher left; its producers stay (unbound) so viewers resume if it comes back.</summary>
    public void DetachPublisher()
    {
        using (_engine.EnterControl())
            DetachPublisherLocked();
    }

    private void DetachPublisherLocked()
    {
        if (Publisher is null)
            return;
        _engine.Remove(Publisher);
        foreach (var p in _producers)
            p.UnbindAll();
        Publisher = null;
    }

    /// <summary>
    /// Adds a viewer's consumers of this station's producers; <paramref name="tracks"/> gives, per producer
    /// (same order as <see cref="Producers"/>), how it appears in the viewer's session.
    /// </summary>
    public IReadOnlyList<Consumer> AddViewer(Subscriber subscriber, IReadOnlyList<ConsumedTrack> tracks)
    {
        using (_engine.EnterControl())
        {
            RemoveViewerLocked(subscriber.PeerId);
            var consumers = new List<Consumer>();
            for (int i = 0; i < _producers.Length && i < tracks.Count; i++)
            {
                var producer = _producers[i];
                var t = tracks[i];
                Consumer c = producer.IsSimulcast
                    ? new SimulcastConsumer(producer, subscriber, t.Ssrc, t.PayloadType)
                    {
                        RtxSsrc = t.RtxSsrc,
                        RtxPayloadType = t.RtxPayloadType,
                        Mid = t.Mid,
                        AbsSendTimeId = t.AbsSendTimeId,
                    }
                    : new SimpleConsumer(producer, subscriber, t.Ssrc, t.PayloadType)
                    {
                        RtxSsrc = t.RtxSsrc,
                        RtxPayloadType = t.RtxPayloadType,
                        Mid = t.Mid,
                        AbsSendTimeId = t.AbsSendTimeId,
                    };
                producer.AddConsumer(c);
                subscriber.Add(c);
                consumers.Add(c);
            }
            _viewers[subscriber.PeerId] = consumers; // the next tick shares the viewer's estimate with them too
            return consumers;
        }
    }

    public bool RemoveViewer(string peerId)
    {
        using (_engine.EnterControl())
            return RemoveViewerLocked(peerId);
    }

    private bool RemoveViewerLocked(string peerId)
    {
        if (!_viewers.Remove(peerId, out var consumers))
            return false;
        foreach (var c in consumers)
        {
            c.Closed = true;
            c.Producer.RemoveConsumer(c);
            c.Subscriber.Remove(c);
        }
        return true;
    }

    public IReadOnlyList<Consumer> ViewerConsumers(string peerId)
    {
        using (_engine.EnterControl())
            return _viewers.TryGetValue(peerId, out var c) ? c.ToArray() : [];
    }

    /// <summary>The viewer's preferred simulcast layer (0 = lowest).</summary>
    public bool SetPreferredLayer(string peerId, int layer)
    {
        using (_engine.EnterControl())
        {
            if (!_viewers.TryGetValue(peerId, out var consumers))
                return false;
            // The next tick picks the new target and asks for its keyframe.
            foreach (var c in consumers)
                c.SetPreferredLayer(layer);
            return true;
        }
    }

    /// <summary>
    /// Feeds <paramref name="tap"/> like a viewer that always wants the best layer (or, for a tap that
    /// <see cref="IStationTap.WantsLayers"/>, like one viewer per simulcast layer). Call after the publisher
    /// attached (the tap consumes its producers); a later publisher restart keeps feeding the same tap.
    /// </summary>
    public void AttachTap(IStationTap tap)
    {
        using (_engine.EnterControl())
        {
            _tap = tap;
            ConnectTapLocked();
        }
    }

    /// <summary>Asks the publisher for a video keyframe on behalf of the tap: on every layer the tap takes, so that a
    /// simulcast encoder sends its layers' keyframes at the same frame (each layer throttled on its own).</summary>
    public void RequestKeyFrameForTap()
    {
        using (_engine.EnterControl())
        {
            _keyFrameRequestsFromTap++;
            foreach (var s in _tapSubscribers)
            {
                foreach (var c in s.Consumers)
                {
                    if (c.Producer.Kind == MediaKind.Video)
                        c.RequestKeyFrame(_engine.NowMs);
                }
            }
        }
    }

    private void ConnectTapLocked()
    {
        foreach (var s in _tapSubscribers)
        {
            foreach (var c in s.Consumers)
            {
                c.Producer.RemoveConsumer(c);
            }
            _engine.Remove(s);
        }
        _tapSubscribers.Clear();
        if (_tap is null)
            return;
        foreach (var producer in _producers)
        {
            var track = producer.Kind == MediaKind.Video ? TapTrack.Video : TapTrack.Audio;
            if (track == TapTrack.Video && producer.IsSimulcast && _tap.WantsLayers)
            {
                ConnectTapLayersLocked(producer);
                continue;
            }
            var subscriber = new Subscriber($"tap-{Station.StationId}-{track}", new TapOutput(_tap, track));
            uint ssrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
            Consumer c = producer.IsSimulcast
                ? new SimulcastConsumer(producer, subscriber, ssrc, producer.PayloadType)
                : new SimpleConsumer(producer, subscriber, ssrc, producer.PayloadType);
            producer.AddConsumer(c);
            subscriber.Add(c);
            _tapSubscribers.Add(subscriber);
            _engine.Add(subscriber);
        }
    }

    /// <summary>One consumer per simulcast layer, each held to its layer, so the tap gets every layer that
    /// flows.</summary>
    private void ConnectTapLayersLocked(Producer producer)
    {
        for (int layer = 0; layer < producer.Layers.Length; layer++)
        {
            var subscriber = new Subscriber(
                $"tap-{Station.StationId}-video-{layer}",
                new TapOutput(_tap!, TapTrack.Video, layer)
            );
            uint ssrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
            var c = new SimpleConsumer(producer, subscriber, ssrc, producer.PayloadType) { Layer = layer };
            producer.AddConsumer(c);
            subscriber.Add(c);
            _tapSubscribers.Add(subscriber);
            _engine.Add(subscriber);
        }
    }

    private void DropProducerLocked(Producer producer)
    {
        foreach (var c in producer.Consumers)
        {
            c.Closed = true;
            c.Subscriber.Remove(c);
            producer.RemoveConsumer(c);
        }
        foreach (var list in _viewers.Values)
            list.RemoveAll(c => c.Producer == producer);
    }

    public StationStats GetStats() => GetStats(_engine.NowMs);

    public StationStats GetStats(long nowMs)
    {
        using (_engine.EnterControl())
        {
            long lost = 0,
                keyAsked = 0,
                keySent = 0,
                bitsIn = 0;
            foreach (var p in _producers)
            {
                keyAsked += p.KeyFrames.RequestsAsked;
                keySent += p.KeyFrames.RequestsSent;
                foreach (var l in p.Layers)
                {
                    if (l.Recv is not { } r)
                        continue;
                    lost += r.Lost;
                    bitsIn += r.Bitrate.BitsPerSecond(nowMs);
                }
            }
            long packetsOut = 0,
                bytesOut = 0,
                nacks = 0,
                bitsOut = 0;
            var details = new List<SubscriberStats>();
            foreach (var (peerId, consumers) in _viewers)
            {
                long sent = 0,
                    bytes = 0,
                    nacksIn = 0,
                    retx = 0,
                    keyReq = 0,
                    switches = 0;
                int layer = -1,
                    target = -1;
                string? reason = null;
                long pauses = 0;
                byte fraction = 0;
                long? rtt = null;
                foreach (var c in consumers)
                {
                    sent += c.Send.PacketsSent;
                    bitsOut += c.Send.Bitrate.BitsPerSecond(nowMs);
                    bytes += c.Send.BytesSent;
                    nacksIn += c.Send.NacksReceived;
                    retx += c.Send.Retransmitted;
                    keyReq += c.Send.KeyFrameRequestsReceived;
                    switches += c.LayerSwitches;
                    fraction = Math.Max(fraction, c.Send.FractionLost);
                    rtt ??= c.Send.RoundTripMs;
                    if (c.Producer.Kind == MediaKind.Video)
                    {
                        layer = c.CurrentLayer;
                        target = c.TargetLayer;
                        reason = ReasonName(c.AllocationReason);
                        pauses += c.Pauses;
                    }
                }
                packetsOut += sent;
                bytesOut += bytes;
                nacks += nacksIn;
                var viewer = consumers.Count > 0 ? consumers[0].Subscriber : null;
                details.Add(
                    new SubscriberStats(
                        peerId,
                        sent,
                        bytes,
                        layer,
                        target,
                        switches,
                        nacksIn,
                        retx,
                        keyReq,
                        fraction,
                        viewer?.BandwidthBps ?? 0,
                        rtt
                    )
                    {
                        RembReceived = viewer?.RembReceived ?? 0,
                        BandwidthSource = viewer?.BandwidthSource,
                        TransportCcFeedback = viewer?.TransportCc?.FeedbackReceived ?? 0,
                        DelayBasedEstimateBps = viewer?.TransportCc?.Estimator.DelayBased ?? 0,
                        LossBasedEstimateBps = viewer?.TransportCc?.Estimator.LossBased ?? 0,
                        AcknowledgedBps = viewer?.TransportCc?.Estimator.AcknowledgedBitsPerSecond(nowMs) ?? 0,
                        ProbeClusters = viewer?.TransportCc?.Prober.Started ?? 0,
                        ProbesSucceeded = viewer?.TransportCc?.Prober.Succeeded ?? 0,
                        LastProbeBps = viewer?.TransportCc?.Prober.LastResultBps ?? 0,
                        WantedBps = viewer?.WantedBitrate(nowMs) ?? 0,
                        LayerReason = reason,
                        Pauses = pauses,
                    }
                );
            }
            var pub = Publisher;
            return new StationStats(
                Station.StationId,
                pub is not null,
                _viewers.Count,
                pub?.PacketsIn ?? 0,
                pub?.BytesIn ?? 0,
                packetsOut,
                bytesOut,
                bitsIn,
                bitsOut,
                lost,
                nacks,
                pub?.NacksSent ?? 0,
                keyAsked,
                keySent
            )
            {
                SubscriberDetails = details,
            };
        }
    }

    private static string ReasonName(StreamAllocator.Reason reason) =>
        reason switch
        {
            StreamAllocator.Reason.Preferred => "preferred",
            StreamAllocator.Reason.Bandwidth => "bandwidth",
            StreamAllocator.Reason.Paused => "paused",
            _ => "uncapped",
        };

    public void Dispose()
    {
        using (_engine.EnterControl())
        {
            DetachPublisherLocked();
            foreach (var peerId in _viewers.Keys.ToArray())
                RemoveViewerLocked(peerId);
            _tap?.Dispose();
            _tap = null;
            ConnectTapLocked();
            _producers = [];
        }
    }
}
