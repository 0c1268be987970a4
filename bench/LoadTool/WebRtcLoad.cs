using System.Diagnostics;
using System.Globalization;
using System.Net;
using MobZ.Munit;
using MobZ.Munit.Control;
using MobZ.Munit.WebRtc;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Ice;
using MobZ.Rtc.Sdp;
using MobZ.Rtc.Transport;

namespace MobZ.LoadTool;

/// <summary>One media worker's part of a run: what it forwarded and its loop thread's CPU.</summary>
internal sealed record WorkerShare(int Worker, int Rooms, long Forwarded, TimeSpan Cpu);

/// <summary>What one <c>--webrtc</c> run measured.</summary>
internal sealed record WebRtcLoadReport(
    LoadOptions Options,
    double Seconds,
    double OfferedPerSecond,
    long Forwarded,
    TimeSpan MunitCpu,
    long Expected,
    long Received,
    LatencyHistogram Latency,
    long SrtpRejected,
    long RssBytesPerPeer,
    int Peers,
    IReadOnlyList<WorkerShare> Workers
)
{
    public double Loss => Expected == 0 ? 0 : Math.Max(0, 1 - (double)Received / Expected);

    public void Print(TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(
            string.Create(
                inv,
                $"WebRTC clients (ICE, DTLS, SRTP): publishers {Options.Publishers}, viewers {Options.Subscribers} in {Options.Rooms} room(s) (each watches every publisher of its room on one peer connection), video {Options.VideoKbps} kbps + Opus, {Workers.Count} media worker(s), {Seconds:0.0} s measured"
            )
        );
        output.WriteLine(string.Create(inv, $"offered to the Munit      {OfferedPerSecond:0} packets/s"));
        output.WriteLine(
            string.Create(inv, $"forwarded                 {Forwarded / Seconds:0} packets/s ({Forwarded} packets)")
        );
        output.WriteLine(
            string.Create(
                inv,
                $"Munit worker threads CPU  {MunitCpu.TotalSeconds:0.00} s = {MunitCpu.TotalSeconds / Seconds * 100:0}% of one core; {MunitCpu.TotalSeconds / Math.Max(1, Forwarded) * 1e6:0.00} CPU-s per million forwarded (µs per packet)"
            )
        );
        foreach (var w in Workers)
        {
            output.WriteLine(
                string.Create(
                    inv,
                    $"  worker {w.Worker} ({w.Rooms} room(s))   forwarded {w.Forwarded / Seconds:0} packets/s, CPU {w.Cpu.TotalSeconds / Seconds * 100:0}% of one core, {w.Cpu.TotalSeconds / Math.Max(1, w.Forwarded) * 1e6:0.00} µs per forwarded packet"
                )
            );
        }
        output.WriteLine(
            string.Create(inv, $"loss at viewers           {Loss * 100:0.000}% ({Expected - Received} of {Expected})")
        );
        output.WriteLine(
            string.Create(
                inv,
                $"forwarding latency        p50 {Latency.Percentile(0.50) / 1000:0.000} ms, p99 {Latency.Percentile(0.99) / 1000:0.000} ms ({Latency.Count} samples)"
            )
        );
        output.WriteLine(
            string.Create(
                inv,
                $"RSS per peer              {RssBytesPerPeer / 1024.0:0} KiB ({Peers} client peers and their Munit peers, one process)"
            )
        );
        output.WriteLine(
            string.Create(
                inv,
                $"SRTP rejected at clients  {SrtpRejected}; machine load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} on {Environment.ProcessorCount} cores"
            )
        );
    }
}

/// <summary>
/// The <c>--webrtc</c> mode: a Munit (<see cref="MunitServer"/> + <see cref="WebRtcMedia"/>, the production
/// media plane: its media workers, a UDP port each on 127.0.0.1) and N publishers and M viewers that are real WebRTC
/// clients
/// (<see cref="RtcClientPeer"/>: ICE controlling, DTLS active, SRTP), negotiated through the Munit's media
/// commands exactly as the Regulator hands a browser's SDP over: Publish (offer → answer), Watch (the Munit's
/// offer) and Answer. Every viewer watches every publisher of its room (m2m) on one peer connection.
/// </summary>
internal static class WebRtcLoad
{
    private static string Room(int index, LoadOptions options) => $"load-{index % options.Rooms}";

    /// <summary>Most ICE + DTLS handshakes in flight at once, so a large run does not time its own peers out.</summary>
    private static readonly int ConnectsInFlight = Math.Max(4, Environment.ProcessorCount * 4);

    /// <summary>Connects every peer (bounded by <paramref name="connectTimeout"/>), lets media settle for
    /// <paramref name="warmUp"/> (every viewer's video starts at a key frame, sent every 2 s), then measures for
    /// <see cref="LoadOptions.Seconds"/>.</summary>
    public static async Task<WebRtcLoadReport> RunAsync(
        LoadOptions options,
        TimeSpan warmUp,
        TimeSpan connectTimeout,
        CancellationToken cancellationToken = default
    )
    {
        long rss0 = ProcessRss();
        var munitOptions = new MunitOptions
        {
            BindAddress = "127.0.0.1",
            Port = 0,
            TcpPort = 0,
            Workers = options.Workers,
        };
        using var media = new WebRtcMedia(munitOptions);
        await using var munit = new MunitServer(munitOptions, media);
        // One certificate for every client peer, as a browser shares one between its peer connections.
        var certificate = DtlsCertificate.Generate();
        var clientOptions = new RtcClientPeerOptions
        {
            BindAddress = IPAddress.Loopback,
            Certificate = certificate,
            SocketReceiveBufferSize = 4 * 1024 * 1024,
        };
        var viewerHandler = new MeasuringViewers();
        var publisherHandler = new IgnoringHandler();
        var peers = new List<RtcClientPeer>();
        using var publishers = new SyntheticPublishers(options.VideoKbps);
        try
        {
            using var connectBudget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connectBudget.CancelAfter(connectTimeout);
            using var inFlight = new SemaphoreSlim(ConnectsInFlight);
            var connects = new List<Task>();
            for (int i = 0; i < options.Publishers; i++)
            {
                var peer = new RtcClientPeer(publisherHandler, clientOptions);
                peers.Add(peer);
                uint videoSsrc = SyntheticPublishers.NewSsrc(),
                    audioSsrc = SyntheticPublishers.NewSsrc();
                string station = $"st-{i}";
                if (!munit.CreateStation(new StationDescriptor(station, Room(i, options), $"pub-{i}", "m2m", false)))
                    throw new InvalidOperationException($"the Munit refused station {station}");
                var published = await munit.HandleAsync(
                    new MediaCommand(MediaOp.Publish, station, $"pub-{i}")
                    {
                        Sdp = SdpWriter.Write(PublisherOffer(peer, videoSsrc, audioSsrc)),
                    },
                    cancellationToken
                );
                var (server, candidate) = ServerOf(published);
                connects.Add(ConnectAsync(peer, server, candidate, inFlight, connectBudget.Token));
                publishers.Add((buffer, length) => peer.SendRtp(buffer[..length]), videoSsrc, audioSsrc);
            }
            for (int v = 0; v < options.Subscribers; v++)
            {
                var peer = new RtcClientPeer(viewerHandler, clientOptions);
                peers.Add(peer);
                string viewer = $"viewer-{v}";
                MediaResult watched = MediaResult.Failure("no station");
                string lastStation = "";
                for (int i = v % options.Rooms; i < options.Publishers; i += options.Rooms)
                {
                    // Each Watch returns the offer for the whole connection; the last one carries every station.
                    lastStation = $"st-{i}";
                    watched = await munit.HandleAsync(
                        new MediaCommand(MediaOp.Watch, lastStation, viewer),
                        cancellationToken
                    );
                }
                var (server, candidate) = ServerOf(watched);
                var offer = Parse(watched.Sdp);
                viewerHandler.Learn(offer);
                var answered = await munit.HandleAsync(
                    new MediaCommand(MediaOp.Answer, lastStation, viewer)
                    {
                        Sdp = SdpWriter.Write(ViewerAnswer(peer, offer)),
                    },
                    cancellationToken
                );
                if (!answered.Ok)
                    throw new InvalidOperationException($"the Munit refused {viewer}'s answer: {answered.Error}");
                connects.Add(ConnectAsync(peer, server, candidate, inFlight, connectBudget.Token));
            }
            await Task.WhenAll(connects);
            long rssConnected = ProcessRss();

            var workers = media.Workers;
            var threads = workers
                .Select(w =>
                    ThreadCpu.FindByName($"rtc-udp-{w.Port}")
                    ?? throw new InvalidOperationException($"worker {w.Index}'s receive thread was not found in /proc")
                )
                .ToArray();
            publishers.Start();
            await Task.Delay(warmUp, cancellationToken);

            viewerHandler.Measuring = true;
            var forwarded0 = workers.Select(w => w.Engine.Forwarder.Forwarded).ToArray();
            var cpu0 = threads.Select(ThreadCpu.Of).ToArray();
            var clock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(options.Seconds), cancellationToken);
            var shares = workers
                .Select(
                    (w, i) =>
                        new WorkerShare(
                            w.Index,
                            media.Placement.RoomsOn(w.Index),
                            w.Engine.Forwarder.Forwarded - forwarded0[i],
                            ThreadCpu.Of(threads[i]) - cpu0[i]
                        )
                )
                .ToArray();
            long forwarded = shares.Sum(s => s.Forwarded);
            var cpu = TimeSpan.FromTicks(shares.Sum(s => s.Cpu.Ticks));
            double seconds = clock.Elapsed.TotalSeconds;
            viewerHandler.Measuring = false;
            publishers.Stop();

            return new WebRtcLoadReport(
                options,
                seconds,
                publishers.PacketsPerSecondEach * options.Publishers,
                forwarded,
                cpu,
                viewerHandler.Expected,
                viewerHandler.Received,
                viewerHandler.Latency,
                peers.Sum(p => p.SrtpRejected),
                (rssConnected - rss0) / Math.Max(1, peers.Count),
                peers.Count,
                shares
            );
        }
        finally
        {
            publishers.Stop();
            foreach (var peer in peers)
                peer.Close();
        }
    }

    internal static async Task ConnectAsync(
        RtcClientPeer peer,
        RtcRemoteParameters server,
        IPEndPoint candidate,
        SemaphoreSlim inFlight,
        CancellationToken cancellationToken
    )
    {
        await inFlight.WaitAsync(cancellationToken);
        try
        {
            await peer.ConnectAsync(server, candidate, cancellationToken);
        }
        finally
        {
            inFlight.Release();
        }
    }

    /// <summary>What a browser offers to publish a camera and a microphone: Opus and VP8, sendonly, with our
    /// SSRCs; a full ICE agent (not lite) and DTLS actpass.</summary>
    internal static SessionDescription PublisherOffer(RtcClientPeer peer, uint videoSsrc, uint audioSsrc)
    {
        var local = peer.LocalParameters;
        string cname = "load-" + local.IceUfrag;
        return SdpOfferBuilder.Create(
            new SdpOfferOptions
            {
                IceCredentials = new IceCredentials(local.IceUfrag, local.IcePassword),
                Fingerprint = new SdpFingerprint(local.Fingerprint.Algorithm, local.Fingerprint.Value),
                IceLite = false,
                Media =
                [
                    new SdpMediaOffer
                    {
                        Kind = "audio",
                        Mid = "0",
                        Codecs =
                        [
                            new SdpCodec
                            {
                                PayloadType = SyntheticPublishers.AudioPayloadType,
                                Name = "opus",
                                ClockRate = 48000,
                                Channels = 2,
                            },
                        ],
                        Ssrc = audioSsrc,
                        Cname = cname,
                        StreamId = cname,
                        TrackId = cname + "-audio",
                    },
                    new SdpMediaOffer
                    {
                        Kind = "video",
                        Mid = "1",
                        Codecs =
                        [
                            new SdpCodec
                            {
                                PayloadType = SyntheticPublishers.VideoPayloadType,
                                Name = "VP8",
                                ClockRate = 90000,
                                Feedback = [new SdpRtcpFeedback("nack"), new SdpRtcpFeedback("nack", "pli")],
                            },
                        ],
                        Ssrc = videoSsrc,
                        Cname = cname,
                        StreamId = cname,
                        TrackId = cname + "-video",
                    },
                ],
            }
        );
    }

    /// <summary>A viewer's answer to the Munit's offer: receive everything, full ICE, DTLS active.</summary>
    internal static SessionDescription ViewerAnswer(RtcClientPeer peer, SessionDescription offer)
    {
        var local = peer.LocalParameters;
        var options = new SdpAnswerOptions
        {
            IceCredentials = new IceCredentials(local.IceUfrag, local.IcePassword),
            Fingerprint = new SdpFingerprint(local.Fingerprint.Algorithm, local.Fingerprint.Value),
            IceLite = false,
            PreferredSetup = SdpSetupRole.Active,
        };
        if (!SdpAnswerBuilder.TryCreate(offer, options, out var answer, out var error))
            throw new InvalidOperationException("cannot answer the Munit's offer: " + error);
        return answer!;
    }

    /// <summary>The Munit's ICE-lite parameters and its UDP host candidate, from its answer or offer.</summary>
    internal static (RtcRemoteParameters Server, IPEndPoint Candidate) ServerOf(MediaResult result)
    {
        if (!result.Ok)
            throw new InvalidOperationException("the Munit refused: " + result.Error);
        var sdp = Parse(result.Sdp);
        if (!RtcRemoteParameters.TryFromSdp(sdp, out var server, out var error))
            throw new InvalidOperationException("the Munit's SDP has no usable transport: " + error);
        var candidate = sdp.Media.SelectMany(m => m.Candidates).FirstOrDefault(c => c.Transport == "udp")
            ?? throw new InvalidOperationException("the Munit's SDP has no UDP candidate");
        return (server!, new IPEndPoint(IPAddress.Parse(candidate.Address), candidate.Port));
    }

    internal static SessionDescription Parse(string? sdp) =>
        SdpParser.TryParse(sdp, out var parsed, out var error)
            ? parsed!
            : throw new InvalidOperationException("the Munit sent malformed SDP: " + error);

    /// <summary>Resident set size of this process (VmRSS in /proc/self/status).</summary>
    private static long ProcessRss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal))
                continue;
            string kib = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
        }
        return 0;
    }

    /// <summary>Publishers only send: the Munit's RTCP to them (REMB, PLI, reports) is not needed here.</summary>
    internal sealed class IgnoringHandler : IRtcClientHandler
    {
        public void OnRtp(RtcClientPeer peer, Span<byte> packet) { }

        public void OnRtcp(RtcClientPeer peer, Span<byte> packet) { }

        public void OnStateChanged(RtcClientPeer peer, RtcPeerState state) { }
    }
}
