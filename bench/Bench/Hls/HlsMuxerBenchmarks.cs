using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using MobZ.Hls;
using MobZ.Hls.Mp4;
using MobZ.Hls.Packaging;

namespace MobZ.Bench.Hls;

/// <summary>
/// The HLS packager's hot path: RTP in (H.264 FU-A/STAP-A + Opus), fMP4 parts out. One operation is one
/// video access unit (with the 1.67 Opus packets that come beside it at 30 fps). The stream is endless:
/// every invocation continues the sequence numbers and timestamps of the previous one.
/// </summary>
[MemoryDiagnoser]
public class HlsMuxerBenchmarks
{
    private const int Frames = 300; // 10 s at 30 fps, a keyframe every 2 s
    private const int Mtu = 1200;
    private static readonly byte[] Sps = Convert.FromHexString("6742c01fd90141fb0110000003001000000303c0f142a480");
    private static readonly byte[] Pps = [0x68, 0xce, 0x3c, 0x80];

    private readonly List<(byte[] Packet, HlsTrack Track, uint TimestampStep)> _packets = [];
    private HlsPackager _packager = null!;
    private ushort _videoSeq;
    private ushort _audioSeq;
    private uint _videoTs;
    private uint _audioTs;

    private sealed class DiscardingOutput : IHlsPackagerOutput
    {
        public long Bytes;

        public void OnInit(HlsInitInfo info, HlsChunk init) => init.Dispose();

        public void OnPart(HlsPartInfo info, HlsChunk part)
        {
            Bytes += part.Length;
            part.Dispose();
        }

        public void OnSegmentEnd() { }

        public void OnEnd() { }

        public ValueTask FlushAsync() => ValueTask.CompletedTask;
    }

    [Params(3_000, 12_000)]
    public int PFrameBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        int audioDue = 0;
        for (int frame = 0; frame < Frames; frame++)
        {
            bool idr = frame % 60 == 0;
            byte[] nal = new byte[idr ? PFrameBytes * 8 : PFrameBytes];
            random.NextBytes(nal);
            nal[0] = idr ? (byte)0x65 : (byte)0x41;
            var packets = new List<byte[]>();
            if (idr)
            {
                packets.Add([0x78, 0, (byte)Sps.Length, .. Sps, 0, (byte)Pps.Length, .. Pps]);
            }

            for (int offset = 1; offset < nal.Length; offset += Mtu)
            {
                int length = Math.Min(Mtu, nal.Length - offset);
                byte header = (byte)(
                    (nal[0] & 0x1F) | (offset == 1 ? 0x80 : 0) | (offset + length >= nal.Length ? 0x40 : 0)
                );
                packets.Add([(byte)((nal[0] & 0xE0) | 28), header, .. nal.AsSpan(offset, length)]);
            }

            for (int i = 0; i < packets.Count; i++)
            {
                _packets.Add(
                    (
                        Rtp(packets[i], marker: i == packets.Count - 1),
                        HlsTrack.Video,
                        i == packets.Count - 1 ? 3000u : 0u
                    )
                );
            }

            // 20 ms Opus packets beside 33.3 ms frames: 5 every 3 frames.
            for (audioDue += 5; audioDue >= 3; audioDue -= 3)
            {
                byte[] opus = new byte[120];
                random.NextBytes(opus);
                opus[0] = 0xFC; // CELT FB 20 ms, stereo, one frame
                _packets.Add((Rtp(opus, marker: false), HlsTrack.Audio, 960u));
            }
        }

        _packager = new HlsPackager("bench", new DiscardingOutput(), new HlsOptions());
        Run(); // warm the pools to their working size
    }

    private static byte[] Rtp(byte[] payload, bool marker)
    {
        byte[] packet = new byte[12 + payload.Length];
        packet[0] = 0x80;
        packet[1] = (byte)((marker ? 0x80 : 0) | 96);
        payload.CopyTo(packet, 12);
        return packet;
    }

    [Benchmark(OperationsPerInvoke = Frames)]
    public void RtpToFmp4PerAccessUnit() => Run();

    private void Run()
    {
        foreach ((byte[] packet, HlsTrack track, uint step) in _packets)
        {
            Span<byte> header = packet;
            if (track == HlsTrack.Video)
            {
                BinaryPrimitives.WriteUInt16BigEndian(header[2..], _videoSeq++);
                BinaryPrimitives.WriteUInt32BigEndian(header[4..], _videoTs);
                _videoTs += step;
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(header[2..], _audioSeq++);
                BinaryPrimitives.WriteUInt32BigEndian(header[4..], _audioTs);
                _audioTs += step;
            }

            _packager.OnRtp(packet, track);
        }
    }
}

/// <summary>The fMP4 writer alone: one 200 ms part (6 video frames, 10 Opus packets) into a pooled buffer.</summary>
[MemoryDiagnoser]
public class HlsFragmentWriterBenchmarks
{
    private readonly MediaSample[] _video = new MediaSample[6];
    private readonly MediaSample[] _audio = new MediaSample[10];
    private byte[] _videoData = [];
    private byte[] _audioData = [];
    private byte[] _destination = [];

    [GlobalSetup]
    public void Setup()
    {
        for (int i = 0; i < _video.Length; i++)
        {
            _video[i] = new MediaSample(i * 3000, 3000, 3000, i == 0);
        }

        for (int i = 0; i < _audio.Length; i++)
        {
            _audio[i] = new MediaSample(i * 120, 120, 960, true);
        }

        _videoData = new byte[6 * 3000];
        _audioData = new byte[10 * 120];
        _destination = new byte[FragmentWriter.GetMaxSize(6, 10, _videoData.Length + _audioData.Length)];
    }

    [Benchmark]
    public int WritePart()
    {
        var video = new TrackRun(TrackIds.Video, 900_000, _video, _videoData);
        var audio = new TrackRun(TrackIds.Audio, 480_000, _audio, _audioData);
        return FragmentWriter.Write(_destination, 7, video, audio);
    }
}
