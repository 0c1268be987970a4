using BenchmarkDotNet.Attributes;
using MobZ.Munit.Buffers;
using MobZ.Munit.Control;
using MobZ.Munit.Routing;
using MobZ.Rtc.Codecs;
using MobZ.Rtc.Rtp;
using MobZ.Rtc.Srtp;

namespace MobZ.Bench.Munit;

/// <summary>
/// The Munit's forwarding path: one decrypted 1,100-byte VP8 packet from a publisher, fanned out to N viewers
/// (rewrite + pooled copy + hand-off to the transport), optionally with each viewer's real SRTP protect.
/// Divide the mean by <see cref="Subscribers"/> for ns per forwarded packet. <see cref="SrtpProtectFloor"/>
/// is one SRTP protect of the same packet: the cost no forwarder can avoid per viewer.
/// </summary>
[MemoryDiagnoser]
public class ForwardingBenchmarks
{
    private const uint PublisherSsrc = 0x1234;
    private MediaEngine _engine = null!;
    private StationRouter _station = null!;
    private Publisher _publisher = null!;
    private byte[] _template = null!;
    private byte[] _packet = null!;
    private ushort _seq;
    private uint _ts;
    private SrtpContext _floorContext = null!;
    private byte[] _floorBuffer = null!;

    [Params(1, 10, 100)]
    public int Subscribers { get; set; }

    [Params(false, true)]
    public bool Srtp { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = new MediaEngine(PacketBufferPool.Shared);
        _station = new StationRouter(_engine, new StationDescriptor("bench", "room", "pub", "m2m", false));
        _publisher = _station.AttachPublisher(
            "pub",
            new DiscardOutput(),
            [new PublishedTrack(MediaKind.Video, MediaCodec.Vp8, 96, 90000, 0, [null], "0")],
            new PublisherExtensions()
        );
        for (int i = 0; i < Subscribers; i++)
        {
            IPeerOutput output = Srtp ? new SrtpOutput(NewContext(i)) : new DiscardOutput();
            var viewer = new Subscriber($"viewer-{i}", output);
            _engine.Add(viewer);
            _station.AddViewer(viewer, [new ConsumedTrack((uint)(0x10000 + i), 100)]);
        }

        _template = Vp8(keyFrame: true);
        _packet = new byte[_template.Length];
        Next(); // the key frame starts every viewer
        _template = Vp8(keyFrame: false);

        _floorContext = NewContext(99);
        _floorBuffer = new byte[PacketBufferPool.BufferSize];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _station.Dispose();
        _engine.Dispose();
        _floorContext.Dispose();
    }

    [Benchmark]
    public void ForwardOnePacket() => Next();

    [Benchmark]
    public int SrtpProtectFloor()
    {
        _template.CopyTo(_floorBuffer, 0);
        BitConverterBigEndian.WriteSeq(_floorBuffer, _seq++);
        _floorContext.ProtectRtp(_floorBuffer, _template.Length, out int length);
        return length;
    }

    private void Next()
    {
        _template.CopyTo(_packet, 0);
        BitConverterBigEndian.WriteSeq(_packet, _seq++);
        BitConverterBigEndian.WriteTs(_packet, _ts += 3000);
        _engine.OnPublisherRtp(_publisher, _packet);
    }

    private static byte[] Vp8(bool keyFrame)
    {
        var payload = new byte[1100];
        payload[0] = 0x10;
        payload[1] = (byte)(keyFrame ? 0 : 1);
        var writer = new RtpPacketWriter
        {
            PayloadType = 96,
            SequenceNumber = 0,
            Timestamp = 0,
            Ssrc = PublisherSsrc,
            Payload = payload,
        };
        var buffer = new byte[writer.GetSize()];
        writer.TryWrite(buffer, out _);
        return buffer;
    }

    private static SrtpContext NewContext(int seed)
    {
        var key = new byte[16];
        var salt = new byte[12];
        new Random(seed).NextBytes(key);
        return new SrtpContext(new SrtpKeys(SrtpProfile.AeadAes128Gcm, key, salt));
    }

    private sealed class DiscardOutput : IPeerOutput
    {
        public void SendRtp(Span<byte> buffer, int length) { }

        public void SendRtcp(Span<byte> buffer, int length) { }
    }

    /// <summary>What the real transport does before the socket send: encrypt in place.</summary>
    private sealed class SrtpOutput(SrtpContext context) : IPeerOutput
    {
        public void SendRtp(Span<byte> buffer, int length) => context.ProtectRtp(buffer, length, out _);

        public void SendRtcp(Span<byte> buffer, int length) => context.ProtectRtcp(buffer, length, out _);
    }

    private static class BitConverterBigEndian
    {
        public static void WriteSeq(byte[] b, ushort seq) =>
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), seq);

        public static void WriteTs(byte[] b, uint ts) =>
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), ts);
    }
}
