using System.Net;
using MobZ.LoadTool;
using MobZ.Munit.Control;
using MobZ.Munit.Tap;
using MobZ.Munit.WebRtc;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Sdp;
using MobZ.Rtc.Transport;
using MobZ.TestKit;

namespace MobZ.Munit.Tests.Workers;

/// <summary>
/// Media workers with real WebRTC clients (ICE, DTLS, SRTP) on loopback: rooms on different workers are carried
/// by different ports and threads, so one worker that stops costs the other's viewers nothing.
/// </summary>
public sealed class MediaWorkersTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly StuckTap _tap = new();
    private readonly MeasuringViewers _viewers = new() { Measuring = true };
    private readonly SyntheticPublishers _publishers = new(videoKbps: 300);
    private readonly List<RtcClientPeer> _peers = [];
    private readonly DtlsCertificate _certificate = DtlsCertificate.Generate();
    private WebRtcMedia _media = null!;
    private MunitServer _munit = null!;

    public Task InitializeAsync()
    {
        var options = new MunitOptions
        {
            BindAddress = "127.0.0.1",
            Port = 0,
            TcpPort = 0,
            Workers = 2,
        };
        _media = new WebRtcMedia(options, new TapFactory(_tap));
        _munit = new MunitServer(options, _media);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _tap.Release();
        _publishers.Dispose();
        foreach (var peer in _peers)
            peer.Close();
        await _munit.DisposeAsync();
        _media.Dispose();
    }

    [Fact]
    public async Task A_worker_stuck_in_its_HLS_tap_does_not_stall_a_room_on_the_other_worker()
    {
        // Room "stuck" is p2m with an HLS tap, which runs on its worker's packet path; room "live" is m2m.
        await PublishAsync("st-stuck", "stuck", hls: true);
        await PublishAsync("st-live", "live", hls: false);
        var stuckViewer = await WatchAsync("st-stuck", "viewer-stuck");
        var liveViewer = await WatchAsync("st-live", "viewer-live");
        _publishers.Start();
        await Eventually.WaitUntilAsync(
            () => _viewers.ReceivedBy(stuckViewer) > 20 && _viewers.ReceivedBy(liveViewer) > 20,
            Deadline,
            "both viewers receive media"
        );

        // The tap stops returning: the stuck room's worker thread waits inside it from its next packet on.
        _tap.Stick();
        Assert.True(_tap.Entered.Wait(Deadline), "the tap was not called again");
        long stuckAt = _viewers.ReceivedBy(stuckViewer);
        long liveAt = _viewers.ReceivedBy(liveViewer);

        await Eventually.WaitUntilAsync(
            () => _viewers.ReceivedBy(liveViewer) > liveAt + 100,
            Deadline,
            $"the live room's viewer keeps receiving (at {_viewers.ReceivedBy(liveViewer)}, was {liveAt})"
        );
        // Whatever was already on its way out; nothing forwarded after the tap stuck.
        Assert.True(_viewers.ReceivedBy(stuckViewer) <= stuckAt + 10);
    }

    [Fact]
    public async Task Rooms_go_to_the_least_loaded_worker_and_their_peers_are_offered_that_workers_port()
    {
        var first = await PublishAsync("st-a", "room-a", hls: false);
        var second = await PublishAsync("st-b", "room-b", hls: false);
        var sameRoom = await PublishAsync("st-a2", "room-a", hls: false);

        Assert.Equal(_media.Workers[0].Port, first.Port);
        Assert.Equal(_media.Workers[1].Port, second.Port);
        Assert.Equal(_media.Workers[0].Port, sameRoom.Port);
        var watched = await _munit.HandleAsync(new MediaCommand(MediaOp.Watch, "st-b", "viewer-b"));
        Assert.Equal(_media.Workers[1].Port, WebRtcLoad.ServerOf(watched).Candidate.Port);
        var load = _munit.GetLoad();
        Assert.Equal([2, 1], load.Workers.Select(w => w.Stations));
        Assert.Equal([1, 1], load.Workers.Select(w => w.Rooms));
    }

    [Fact]
    public async Task A_viewer_connected_on_one_worker_is_refused_a_station_of_another_workers_room()
    {
        await PublishAsync("st-a", "room-a", hls: false);
        await PublishAsync("st-b", "room-b", hls: false);
        Assert.True((await _munit.HandleAsync(new MediaCommand(MediaOp.Watch, "st-a", "viewer"))).Ok);

        var refused = await _munit.HandleAsync(new MediaCommand(MediaOp.Watch, "st-b", "viewer"));

        Assert.False(refused.Ok);
        Assert.Contains("worker", refused.Error, StringComparison.Ordinal);
    }

    private async Task<IPEndPoint> PublishAsync(string station, string room, bool hls)
    {
        Assert.True(_munit.CreateStation(new StationDescriptor(station, room, "pub-" + station, "m2m", hls)));
        var peer = NewPeer(new WebRtcLoad.IgnoringHandler());
        uint video = SyntheticPublishers.NewSsrc(),
            audio = SyntheticPublishers.NewSsrc();
        var published = await _munit.HandleAsync(
            new MediaCommand(MediaOp.Publish, station, "pub-" + station)
            {
                Sdp = SdpWriter.Write(WebRtcLoad.PublisherOffer(peer, video, audio)),
            }
        );
        var (server, candidate) = WebRtcLoad.ServerOf(published);
        using var budget = new CancellationTokenSource(Deadline);
        await peer.ConnectAsync(server, candidate, budget.Token);
        _publishers.Add((buffer, length) => peer.SendRtp(buffer[..length]), video, audio);
        return candidate;
    }

    private async Task<RtcClientPeer> WatchAsync(string station, string viewer)
    {
        var peer = NewPeer(_viewers);
        var watched = await _munit.HandleAsync(new MediaCommand(MediaOp.Watch, station, viewer));
        var (server, candidate) = WebRtcLoad.ServerOf(watched);
        var offer = WebRtcLoad.Parse(watched.Sdp);
        _viewers.Learn(offer);
        var answered = await _munit.HandleAsync(
            new MediaCommand(MediaOp.Answer, station, viewer)
            {
                Sdp = SdpWriter.Write(WebRtcLoad.ViewerAnswer(peer, offer)),
            }
        );
        Assert.True(answered.Ok, answered.Error);
        using var budget = new CancellationTokenSource(Deadline);
        await peer.ConnectAsync(server, candidate, budget.Token);
        return peer;
    }

    private RtcClientPeer NewPeer(IRtcClientHandler handler)
    {
        var peer = new RtcClientPeer(
            handler,
            new RtcClientPeerOptions { BindAddress = IPAddress.Loopback, Certificate = _certificate }
        );
        _peers.Add(peer);
        return peer;
    }

    private sealed class TapFactory(StuckTap tap) : IStationTapFactory
    {
        public IStationTap? Create(StationDescriptor station, Action requestKeyFrame) => tap;
    }

    /// <summary>An HLS tap that, once stuck, never returns from a packet until released (a wedged consumer).</summary>
    private sealed class StuckTap : IStationTap
    {
        private readonly ManualResetEventSlim _released = new(false);
        private volatile bool _stuck;

        public ManualResetEventSlim Entered { get; } = new(false);

        public bool WantsLayers => false;

        public void Stick() => _stuck = true;

        public void Release() => _released.Set();

        public void OnRtp(TapTrack track, ReadOnlySpan<byte> packet)
        {
            if (!_stuck)
                return;
            Entered.Set();
            _released.Wait();
        }

        public void OnSenderReport(TapTrack track, ulong ntpTimestamp, uint rtpTimestamp) { }

        public void OnLayerRtp(int layer, ReadOnlySpan<byte> packet) { }

        public void OnLayerSenderReport(int layer, ulong ntpTimestamp, uint rtpTimestamp) { }

        public void Dispose() { }
    }
}
