using MobZ.Munit.Routing;
using MobZ.Rtc.Codecs;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Sdp;
using MobZ.Rtc.Transport;

namespace MobZ.Munit.WebRtc;

/// <summary>
/// One viewer's peer connection on this Munit. Like Janus multistream, it can carry the tracks of several
/// stations: each Watch adds m-sections (a new offer for the whole session), each Leave turns its sections
/// inactive. The ICE credentials are fixed when the first offer is made and the transport peer is created
/// from the first answer with them.
/// </summary>
internal sealed class ViewerSession : IRtcPeerHandler
{
    /// <summary>The abs-send-time id in viewer offers (the one browsers use in their own offers).</summary>
    public const int AbsSendTimeId = 2;

    /// <summary>The transport-wide sequence number's id in viewer offers (Chromium's own choice too).</summary>
    public const int TransportCcId = 3;

    private readonly MediaEngine _engine;
    private readonly RtcUdpTransport _transport;
    private readonly List<Section> _sections = [];
    private readonly Lock _gate = new();
    private ulong _version;

    /// <summary>One m-section: a consumer while watched, a leftover (inactive) after the station is left.</summary>
    private sealed class Section
    {
        public required string Mid { get; init; }
        public required string Kind { get; init; }
        public required string StationId { get; init; }
        public required SdpCodec Codec { get; init; }
        public bool AbsSendTime { get; init; }
        public Consumer? Consumer { get; set; }
    }

    public ViewerSession(string peerId, MediaEngine engine, RtcUdpTransport transport)
    {
        PeerId = peerId;
        _engine = engine;
        _transport = transport;
        Subscriber = new Subscriber(peerId, NoOutput.Instance);
        Subscriber.SetReady(false, 0);
        engine.Add(Subscriber);
    }

    public string PeerId { get; }
    public Subscriber Subscriber { get; }

    /// <summary>The engine of the worker this session's peer connection lives on.</summary>
    public MediaEngine Worker => _engine;
    public IceCredentials LocalIce { get; } = IceCredentials.Generate();
    public RtcPeer? Peer { get; private set; }
    public bool IsEmpty
    {
        get
        {
            lock (_gate)
                return _sections.All(s => s.Consumer is null);
        }
    }

    /// <summary>Adds a station's tracks: fresh SSRCs, our payload types, the next mids.</summary>
    public void AddStation(StationRouter router, IReadOnlyList<SdpCodec> producerCodecs)
    {
        lock (_gate)
        {
            RemoveStationLocked(router);
            var producers = router.Producers;
            // Every track of the session declares abs-send-time under one id (BUNDLE shares the map); the
            // forwarder restamps it, or blanks whatever else a publisher put under that id.
            const bool absSendTime = true;
            var tracks = new List<ConsumedTrack>();
            var pending = new List<Section>();
            for (int i = 0; i < producers.Length; i++)
            {
                var producer = producers[i];
                var codec = ViewerCodec(producer, i < producerCodecs.Count ? producerCodecs[i] : null);
                string mid = (_sections.Count + pending.Count).ToString(
                    System.Globalization.CultureInfo.InvariantCulture
                );
                uint ssrc = NewSsrc();
                bool rtx = producer.Kind == MediaKind.Video;
                tracks.Add(
                    new ConsumedTrack(
                        ssrc,
                        (byte)codec.PayloadType,
                        rtx ? NewSsrc() : 0,
                        (byte)(rtx ? codec.PayloadType + 1 : 0),
                        mid,
                        absSendTime ? AbsSendTimeId : 0
                    )
                );
                pending.Add(
                    new Section
                    {
                        Mid = mid,
                        Kind = producer.Kind == MediaKind.Audio ? "audio" : "video",
                        StationId = router.Station.StationId,
                        Codec = codec,
                        AbsSendTime = absSendTime,
                    }
                );
            }
            var consumers = router.AddViewer(Subscriber, tracks);
            for (int i = 0; i < pending.Count && i < consumers.Count; i++)
                pending[i].Consumer = consumers[i];
            _sections.AddRange(pending);
        }
    }

    public bool RemoveStation(StationRouter router)
    {
        lock (_gate)
            return RemoveStationLocked(router);
    }

    private bool RemoveStationLocked(StationRouter router)
    {
        bool removed = router.RemoveViewer(PeerId);
        foreach (var s in _sections.Where(s => s.StationId == router.Station.StationId))
            s.Consumer = null;
        return removed;
    }

    /// <summary>The server offer for every section of the session (watched ones sendonly, left ones
    /// inactive).</summary>
    public string CreateOffer()
    {
        lock (_gate)
        {
            var media = _sections
                .Select(s => new SdpMediaOffer
                {
                    Kind = s.Kind,
                    Mid = s.Mid,
                    Direction = s.Consumer is null ? SdpDirection.Inactive : SdpDirection.SendOnly,
                    Codecs = CodecsFor(s),
                    HeaderExtensions = s.AbsSendTime
                        ?
                        [
                            new SdpHeaderExtension(AbsSendTimeId, Rtc.Rtp.RtpExtensionValues.AbsSendTimeUri),
                            new SdpHeaderExtension(TransportCcId, Rtc.Rtp.RtpExtensionValues.TransportWideCcUri),
                        ]
                        : [new SdpHeaderExtension(TransportCcId, Rtc.Rtp.RtpExtensionValues.TransportWideCcUri)],
                    Ssrc = s.Consumer?.Ssrc,
                    RtxSsrc = s.Consumer is { RtxSsrc: > 0 } c ? c.RtxSsrc : null,
                    Cname = "mobz-" + s.StationId,
                    // A section left behind (the station was left or watched again) stays as an inactive m-line, but
                    // without the station's msid: browsers refuse an offer where two m-lines claim the same track.
                    StreamId = s.Consumer is null ? null : s.StationId,
                    TrackId = s.Consumer is null ? null : $"{s.StationId}-{s.Kind}",
                })
                .ToList();
            var offer = SdpOfferBuilder.Create(
                new SdpOfferOptions
                {
                    IceCredentials = LocalIce,
                    Fingerprint = RemoteParameters.Ours(_transport),
                    Candidates = _transport.Candidates,
                    Media = media,
                    SessionVersion = ++_version,
                }
            );
            return SdpWriter.Write(offer);
        }
    }

    /// <summary>The viewer's answer: the first one creates the transport peer with the credentials of our
    /// offer.</summary>
    public void ApplyAnswer(string sdp)
    {
        var answer = RemoteParameters.Parse(sdp);
        var remote = RemoteParameters.From(answer);
        bool remb = NegotiatesRemb(answer);
        _engine.SetRembNegotiated(Subscriber, remb);
        _engine.SetTransportCc(Subscriber, TransportCcExtension(answer), NegotiatesTransportCcFeedback(answer));
        lock (_gate)
        {
            if (Peer is null || Peer.State is RtcPeerState.Closed or RtcPeerState.Failed)
            {
                Peer?.Close();
                Peer = _transport.CreatePeer(
                    remote,
                    this,
                    "viewer:" + PeerId + ":" + Guid.NewGuid().ToString("N")[..8],
                    LocalIce
                );
                Subscriber.Output = new RtcPeerOutput(Peer);
            }
        }
    }

    public void Close()
    {
        lock (_gate)
        {
            _engine.Remove(Subscriber);
            Subscriber.Output = NoOutput.Instance;
            Peer?.Close();
            Peer = null;
        }
    }

    public void OnRtp(RtcPeer peer, Span<byte> packet)
    {
        // A viewer's connection is sendonly from our side; anything it sends is ignored.
    }

    public void OnRtcp(RtcPeer peer, Span<byte> packet) => _engine.OnSubscriberRtcp(Subscriber, packet);

    public void OnStateChanged(RtcPeer peer, RtcPeerState state)
    {
        if (!ReferenceEquals(peer, Peer))
            return;
        // Under the media lock: consumers' sync state is packet-path state.
        _engine.SetReady(Subscriber, state == RtcPeerState.Connected);
    }

    /// <summary>Whether the answer kept goog-remb on a video track it accepted (a browser may strip it).</summary>
    private static bool NegotiatesRemb(SessionDescription answer) =>
        answer.Media.Any(m =>
            m.Kind == "video"
            && !m.IsRejected
            && m.Codecs.Any(c => c.Feedback.Any(f => f.Type.Equals("goog-remb", StringComparison.OrdinalIgnoreCase)))
        );

    /// <summary>The id the answer kept for the transport-wide sequence number (0: it dropped it). BUNDLE shares one
    /// map, so any accepted section's line counts.</summary>
    private static int TransportCcExtension(SessionDescription answer) =>
        answer
            .Media.Where(m => !m.IsRejected)
            .Select(m => m.FindHeaderExtension(Rtc.Rtp.RtpExtensionValues.TransportWideCcUri)?.Id ?? 0)
            .FirstOrDefault(id => id > 0);

    /// <summary>Whether the answer kept the transport-cc feedback on a codec it accepted: the viewer's half.</summary>
    private static bool NegotiatesTransportCcFeedback(SessionDescription answer) =>
        answer.Media.Any(m => !m.IsRejected && m.Codecs.Any(c => c.HasFeedback("transport-cc")));

    private static List<SdpCodec> CodecsFor(Section s)
    {
        var list = new List<SdpCodec> { s.Codec };
        if (s.Kind == "video")
        {
            list.Add(
                new SdpCodec
                {
                    PayloadType = s.Codec.PayloadType + 1,
                    Name = "rtx",
                    ClockRate = 90000,
                    Fmtp = $"apt={s.Codec.PayloadType}",
                }
            );
        }

        return list;
    }

    /// <summary>The publisher's codec (same fmtp, so H.264 profiles match) under the viewer session's payload
    /// type.</summary>
    private static SdpCodec ViewerCodec(Producer producer, SdpCodec? negotiated)
    {
        if (producer.Kind == MediaKind.Audio)
        {
            var opus = negotiated ?? MunitCodecs.Audio[0];
            return opus with { PayloadType = 111, Feedback = MunitCodecs.ViewerAudioFeedback };
        }
        var template = negotiated ?? MunitCodecs.Video[0];
        int pt = producer.Codec == MediaCodec.H264 ? 102 : 96;
        return template with { PayloadType = pt, Feedback = MunitCodecs.ViewerVideoFeedback };
    }

    private static uint NewSsrc() => (uint)Random.Shared.NextInt64(1, uint.MaxValue);
}
