using MobZ.Munit.Control;
using MobZ.Munit.Routing;
using MobZ.Rtc.Codecs;

namespace MobZ.Munit.Tests.Routing;

/// <summary>One station with a publisher (Opus + VP8, optionally three simulcast layers) on a leak-checking
/// pool.</summary>
internal sealed class ForwardingRig : IDisposable
{
    public const byte OpusPt = 111,
        Vp8Pt = 96,
        Vp8RtxPt = 97;
    public const uint AudioSsrc = 0xA0D10,
        LowSsrc = 0x1000,
        MidSsrc = 0x2000,
        HighSsrc = 0x3000,
        SingleSsrc = 0x4000;

    public ForwardingRig(bool simulcast, bool tap = false, TimeProvider? time = null)
    {
        Simulcast = simulcast;
        Pool = new DiagnosticPacketPool();
        Engine = new MediaEngine(Pool, time);
        Station = new StationRouter(Engine, new StationDescriptor("st-1", "room-1", "pub-1", "m2m", tap));
        Attach("pub-1");
    }

    public bool Simulcast { get; }
    public DiagnosticPacketPool Pool { get; }
    public MediaEngine Engine { get; }
    public StationRouter Station { get; }
    public RecordingOutput PublisherOut { get; private set; } = null!;
    public Publisher Publisher { get; private set; } = null!;

    public void Attach(string peerId)
    {
        PublisherOut = new RecordingOutput();
        string?[] rids = Simulcast ? ["q", "h", "f"] : [null];
        Publisher = Station.AttachPublisher(
            peerId,
            PublisherOut,
            [
                new PublishedTrack(MediaKind.Audio, MediaCodec.Opus, OpusPt, 48000, 0, [null], "0"),
                new PublishedTrack(MediaKind.Video, MediaCodec.Vp8, Vp8Pt, 90000, Vp8RtxPt, rids, "1"),
            ],
            new PublisherExtensions(Rid: Packets.RidExtensionId)
        );
    }

    public (Subscriber Viewer, RecordingOutput Out) AddViewer(
        string peerId,
        uint audioSsrc,
        uint videoSsrc,
        uint rtxSsrc = 0
    )
    {
        var output = new RecordingOutput();
        var viewer = new Subscriber(peerId, output);
        Engine.Add(viewer);
        Station.AddViewer(
            viewer,
            [
                new ConsumedTrack(audioSsrc, 109),
                new ConsumedTrack(videoSsrc, 120, rtxSsrc, (byte)(rtxSsrc != 0 ? 121 : 0)),
            ]
        );
        return (viewer, output);
    }

    /// <summary>Sends a copy (the forwarder may rewrite RTX in place).</summary>
    public void Send(byte[] packet, long nowMs) => Engine.OnPublisherRtp(Publisher, packet.ToArray(), nowMs);

    public void Dispose()
    {
        Station.Dispose();
        Engine.Dispose();
        Pool.AssertAllReturned();
    }
}
