using Microsoft.Extensions.Logging;
using MobZ.Munit.Control;
using MobZ.Munit.Routing;
using MobZ.Munit.Tap;
using MobZ.Rtc.Sdp;
using MobZ.Rtc.Transport;

namespace MobZ.Munit.WebRtc;

/// <summary>
/// One station's media requests: Publish (offer → answer, the publisher's peer on the shared port), Watch (a
/// server offer for the viewer's session), Answer, Candidate (ICE-lite needs none: the browser's checks find
/// us), Simulcast (the viewer's preferred layer) and Leave.
/// </summary>
internal sealed class WebRtcStationMedia : IStationMedia, IRtcPeerHandler
{
    private readonly WebRtcMedia _media;
    private readonly MediaWorker _worker;
    private readonly ILogger _logger;
    private readonly StationRouter _router;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _viewers = new(StringComparer.Ordinal);
    private volatile RtcPeer? _publisherPeer;
    private volatile Publisher? _publisher;
    private IReadOnlyList<SdpCodec> _codecs = [];
    private string _publishedTracks = "";
    private bool _tapAttached;
    private bool _disposed;

    public WebRtcStationMedia(WebRtcMedia media, MediaWorker worker, StationDescriptor station, ILogger logger)
    {
        _media = media;
        _worker = worker;
        _logger = logger;
        _router = new StationRouter(worker.Engine, station);
        _logger.LogInformation(
            "Station {StationId} of room {RoomId} on media worker {Worker} (udp {Port})",
            station.StationId,
            station.RoomId,
            worker.Index,
            worker.Port
        );
    }

    /// <summary>The worker whose port, peers and engine carry this station.</summary>
    public MediaWorker Worker => _worker;

    public StationRouter Router => _router;

    public Task<MediaResult> HandleAsync(MediaCommand command, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_disposed)
                return Task.FromResult(MediaResult.Failure("station closed"));
            return Task.FromResult(
                command.Op switch
                {
                    MediaOp.Publish => Publish(command),
                    MediaOp.Watch => Watch(command),
                    MediaOp.Answer => Answer(command),
                    MediaOp.Candidate => MediaResult.Success(),
                    MediaOp.Simulcast => Simulcast(command),
                    MediaOp.Leave => Leave(command),
                    _ => MediaResult.Failure($"unsupported op {command.Op}"),
                }
            );
        }
    }

    private MediaResult Publish(MediaCommand command)
    {
        if (string.IsNullOrEmpty(command.Sdp))
            return MediaResult.Failure("publish needs the publisher's offer (sdp)");
        var offer = RemoteParameters.Parse(command.Sdp);
        var remote = RemoteParameters.From(offer);
        if (TryRestartIce(command, offer, remote) is { } restarted)
            return restarted;
        var peer = _worker.Transport.CreatePeer(
            remote,
            this,
            $"publisher:{_router.Station.StationId}:{Guid.NewGuid():N}"
        );
        PublishNegotiation.Result negotiated;
        try
        {
            negotiated = PublishNegotiation.Negotiate(offer, peer, _worker.Transport, preferH264: _router.Station.Hls);
        }
        catch
        {
            peer.Close();
            throw;
        }
        var old = _publisherPeer;
        _publisherPeer = peer;
        _codecs = negotiated.TrackCodecs;
        _publisher = _router.AttachPublisher(
            command.PeerId,
            new RtcPeerOutput(peer),
            negotiated.Tracks,
            negotiated.Extensions
        );
        _publishedTracks = Signature(negotiated.Tracks);
        old?.Close();
        AttachTapOnce();
        _logger.LogInformation(
            "Publisher {PeerId} publishes {Tracks}",
            command.PeerId,
            string.Join(", ", negotiated.Tracks.Select(t => $"{t.Kind}:{t.Codec}x{t.Rids.Count}"))
        );
        return MediaResult.Success(SdpWriter.Write(negotiated.Answer));
    }

    /// <summary>
    /// The publisher's re-offer after <c>restartIce()</c> (its network changed): same certificate, new ICE
    /// credentials, same tracks. Its session stays (DTLS, SRTP, the forwarder's state, the viewers' streams); only
    /// ICE starts over, so the answer carries new credentials. Null when the offer is not that.
    /// </summary>
    private MediaResult? TryRestartIce(MediaCommand command, SessionDescription offer, RtcRemoteParameters remote)
    {
        var peer = _publisherPeer;
        if (peer is null || _publisher?.PeerId != command.PeerId)
            return null;
        if (!_worker.Transport.TryRestartIce(peer, remote))
            return null;
        var negotiated = PublishNegotiation.Negotiate(offer, peer, _worker.Transport, preferH264: _router.Station.Hls);
        if (Signature(negotiated.Tracks) != _publishedTracks)
        {
            // New tracks along with the restart: the forwarder learns them, on the same peer.
            _codecs = negotiated.TrackCodecs;
            _publisher = _router.AttachPublisher(
                command.PeerId,
                new RtcPeerOutput(peer),
                negotiated.Tracks,
                negotiated.Extensions
            );
            _publishedTracks = Signature(negotiated.Tracks);
        }
        _logger.LogInformation("Publisher {PeerId} restarted ICE", command.PeerId);
        return MediaResult.Success(SdpWriter.Write(negotiated.Answer));
    }

    private static string Signature(IReadOnlyList<PublishedTrack> tracks) =>
        string.Join(
            '|',
            tracks.Select(t => $"{t.Mid}:{t.Kind}:{t.PayloadType}:{t.RtxPayloadType}:{string.Join(',', t.Rids)}")
        );

    private MediaResult Watch(MediaCommand command)
    {
        if (_router.Producers.Length == 0)
            return MediaResult.Failure("the station has no publisher yet");
        var session = _media.GetOrAddViewer(command.PeerId, _worker);
        session.AddStation(_router, _codecs);
        _viewers.Add(command.PeerId);
        return MediaResult.Success(session.CreateOffer());
    }

    private MediaResult Answer(MediaCommand command)
    {
        if (string.IsNullOrEmpty(command.Sdp))
            return MediaResult.Failure("answer needs the viewer's sdp");
        var session = _media.FindViewer(command.PeerId);
        if (session is null || !_viewers.Contains(command.PeerId))
            return MediaResult.Failure("no watch offer is pending for this viewer");
        session.ApplyAnswer(command.Sdp);
        // Without it, REMB the viewer sends anyway is counted but caps no layer.
        _logger.LogDebug(
            "Viewer {PeerId} answered; REMB negotiated: {Remb}",
            command.PeerId,
            session.Subscriber.RembNegotiated
        );
        return MediaResult.Success();
    }

    private MediaResult Simulcast(MediaCommand command)
    {
        var video = _router.Producers.FirstOrDefault(p => p.Kind == MediaKind.Video);
        if (video is null)
            return MediaResult.Failure("the station has no video");
        int? layer = SimulcastRids.ParseLayer(command.Layer, video.Layers.Select(l => l.Rid).ToArray());
        if (layer is null)
            return MediaResult.Failure($"unknown layer '{command.Layer}'");
        return _router.SetPreferredLayer(command.PeerId, layer.Value)
            ? MediaResult.Success()
            : MediaResult.Failure("this peer does not watch the station");
    }

    private MediaResult Leave(MediaCommand command)
    {
        if (_publisher is not null && _publisher.PeerId == command.PeerId)
        {
            _router.DetachPublisher();
            var peer = _publisherPeer;
            _publisherPeer = null;
            _publisher = null;
            peer?.Close();
            return MediaResult.Success();
        }
        if (_viewers.Remove(command.PeerId) && _media.FindViewer(command.PeerId) is { } session)
        {
            session.RemoveStation(_router);
            _media.RemoveViewerIfEmpty(session);
            return MediaResult.Success();
        }
        return MediaResult.Failure("the peer is neither the publisher nor a viewer of this station");
    }

    private void AttachTapOnce()
    {
        if (_tapAttached || !_router.Station.Hls || _media.TapFactory is null)
            return;
        IStationTap? tap;
        try
        {
            tap = _media.TapFactory.Create(_router.Station, _router.RequestKeyFrameForTap);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // The publisher still reaches its viewers; only the tap's consumer (HLS) is missing.
            _logger.LogWarning(ex, "No tap for station {StationId}", _router.Station.StationId);
            _tapAttached = true;
            return;
        }
        if (tap is null)
            return;
        _router.AttachTap(tap);
        _tapAttached = true;
    }

    public StationStats GetStats() => _router.GetStats();

    public void OnRtp(RtcPeer peer, Span<byte> packet)
    {
        var publisher = _publisher;
        if (publisher is not null && ReferenceEquals(peer, _publisherPeer))
            _worker.Engine.OnPublisherRtp(publisher, packet);
    }

    public void OnRtcp(RtcPeer peer, Span<byte> packet)
    {
        var publisher = _publisher;
        if (publisher is not null && ReferenceEquals(peer, _publisherPeer))
            _worker.Engine.OnPublisherRtcp(publisher, packet);
    }

    public void OnStateChanged(RtcPeer peer, RtcPeerState state)
    {
        if (state is not (RtcPeerState.Failed or RtcPeerState.Closed))
            return;
        _logger.LogInformation("Publisher peer of station {StationId} is {State}", _router.Station.StationId, state);
        // Our own closes (Leave, a replacing offer, the station closing) let go of the peer first; a peer that ends
        // while it is still the station's publisher ended by itself, and signaling must hear it.
        if (!ReferenceEquals(peer, _publisherPeer) || Volatile.Read(ref _disposed) || _publisher is not { } publisher)
            return;
        _media.ReportPeerLost(
            new PeerLost(_router.Station.StationId, publisher.PeerId, peer.CloseReason ?? state.ToString())
        );
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            foreach (var viewer in _viewers)
            {
                if (_media.FindViewer(viewer) is not { } session)
                    continue;
                session.RemoveStation(_router);
                _media.RemoveViewerIfEmpty(session);
            }
            _viewers.Clear();
            _router.Dispose();
            _publisherPeer?.Close();
            _media.Placement.Release(_router.Station.RoomId);
        }
    }
}
