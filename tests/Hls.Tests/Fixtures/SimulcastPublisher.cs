using System.Buffers.Binary;
using System.Numerics;
using Microsoft.Extensions.Time.Testing;
using MobZ.Hls.Timing;

namespace MobZ.Hls.Tests.Fixtures;

/// <summary>
/// A simulcast H.264 publisher as the tap sees it through the Munit: per layer its own SSRC, sequence numbers and RTP
/// timestamp base (each tap consumer re-bases them), sender reports mapping every layer to the same capture clock, and
/// keyframes that do not come at the same instant on every layer on their own (each layer has its own periodic
/// keyframes). A keyframe request, and a layer that starts or resumes, are answered as Chrome's H.264 encoder does,
/// with keyframes on every layer at the same frame. Frames are 30 fps; time runs on a <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class SimulcastPublisher
{
    public const int Fps = 30;
    public static readonly TimeSpan FrameInterval = TimeSpan.FromSeconds(1.0 / Fps);

    /// <summary>Picture sizes of the layers, lowest first (multiples of 16: no cropping in the SPS).</summary>
    public static readonly (int Width, int Height)[] Sizes = [(256, 144), (512, 288), (1024, 576)];

    private static readonly byte[] Pps = [0x68, 0xce, 0x3c, 0x80];
    private readonly Layer[] _layers;
    private readonly FakeTimeProvider _time;
    private readonly DateTime _capture0;
    private readonly int _answerFrames;
    private int _keyframeRequestedAt = -1;
    private ushort _audioSeq = 7;
    private uint _audioTs = 123_456;

    /// <param name="layers">how many layers (1–3).</param>
    /// <param name="ownKeyframes">each layer's own keyframe interval in frames (its phase differs per layer); 0 for
    /// keyframes only on request and at a layer's start.</param>
    /// <param name="answerFrames">how many frames after a keyframe request the keyframes come (Chromium on a short
    /// path: the next frame).</param>
    public SimulcastPublisher(FakeTimeProvider time, int layers = 3, int ownKeyframes = 45, int answerFrames = 2)
    {
        _time = time;
        _answerFrames = answerFrames;
        _capture0 = time.GetUtcNow().UtcDateTime;
        _layers = Enumerable
            .Range(0, layers)
            .Select(i => new Layer(
                Sps(Sizes[i].Width, Sizes[i].Height),
                (uint)(0x1000 + i),
                (ushort)(1000 * (i + 1)),
                (uint)(90_000 * (i + 7) + 1234),
                ownKeyframes,
                ownKeyframes > 0 ? (i * 17) % ownKeyframes : 0
            ))
            .ToArray();
    }

    /// <summary>Frames sent so far.</summary>
    public int Frame { get; private set; }

    /// <summary>Frames at which the layers sent keyframes (each layer's own ones not counted): a keyframe costs
    /// several times a delta frame's bits, on every layer.</summary>
    public int KeyframesOnRequest { get; private set; }

    /// <summary>A layer sends nothing before this frame (it starts later), or within a paused window.</summary>
    public void Starts(int layer, int atFrame) => _layers[layer].StartFrame = atFrame;

    public void Pauses(int layer, int fromFrame, int toFrame) => _layers[layer].Pause = (fromFrame, toFrame);

    /// <summary>The ladder's keyframe request: every layer sends a keyframe <c>answerFrames</c> frames from
    /// now.</summary>
    public void RequestKeyframe()
    {
        if (_keyframeRequestedAt < 0)
        {
            _keyframeRequestedAt = Frame + _answerFrames;
        }
    }

    /// <summary>Sends <paramref name="frames"/> frames of every layer that is on (with 20 ms of audio per 20 ms), a
    /// sender report per layer every second, advancing the clock a frame interval at a time.</summary>
    public void Send(HlsLadder ladder, int frames) =>
        Send(new Sink(ladder.OnVideoRtp, ladder.OnAudioRtp, ladder.OnSenderReport), frames);

    /// <summary>The same to one independent packager per layer (each gets the audio too): the naive ladder.</summary>
    public void Send(IReadOnlyList<HlsPackager> packagers, int frames) =>
        Send(
            new Sink(
                (layer, rtp) => packagers[layer].OnRtp(rtp, HlsTrack.Video),
                rtp =>
                {
                    foreach (HlsPackager p in packagers)
                    {
                        p.OnRtp(rtp, HlsTrack.Audio);
                    }
                },
                (track, layer, ntp, ts) =>
                {
                    foreach (HlsPackager p in track == HlsTrack.Audio ? packagers : [packagers[layer]])
                    {
                        p.OnSenderReport(track, ntp, ts);
                    }
                }
            ),
            frames
        );

    private delegate void VideoSink(int layer, ReadOnlySpan<byte> rtp);

    private delegate void AudioSink(ReadOnlySpan<byte> rtp);

    private sealed record Sink(VideoSink Video, AudioSink Audio, Action<HlsTrack, int, ulong, uint> Report);

    private void Send(Sink ladder, int frames)
    {
        for (int n = 0; n < frames; n++, Frame++)
        {
            // A layer that starts or resumes makes every layer send a keyframe (Chrome's H.264 encoder does).
            bool requested =
                Frame == _keyframeRequestedAt
                || _layers.Any(l => l.WasOff && Frame >= l.StartFrame && (Frame < l.Pause.From || Frame >= l.Pause.To));
            if (requested)
            {
                _keyframeRequestedAt = -1;
                KeyframesOnRequest++;
            }

            for (int i = 0; i < _layers.Length; i++)
            {
                Layer layer = _layers[i];
                if (Frame < layer.StartFrame || (Frame >= layer.Pause.From && Frame < layer.Pause.To))
                {
                    layer.WasOff = true;
                    continue;
                }

                uint ts = layer.TimestampBase + (uint)(Frame * (90_000 / Fps));
                if (Frame % Fps == 0 || layer.WasOff)
                {
                    ladder.Report(HlsTrack.Video, i, Ntp(Frame), ts);
                }

                bool key = layer.WasOff || requested || (layer.Own > 0 && Frame % layer.Own == layer.Phase);
                layer.WasOff = false;
                if (key)
                {
                    ladder.Video(i, Rtp(layer, layer.Sps, ts, false));
                    ladder.Video(i, Rtp(layer, Pps, ts, false));
                    ladder.Video(i, Rtp(layer, Slice(0x65, 400 * (i + 1)), ts, true));
                }
                else
                {
                    ladder.Video(i, Rtp(layer, Slice(0x41, 100 * (i + 1)), ts, true));
                }
            }

            SendAudioUntil(ladder, (Frame + 1) * 1000 / Fps);
            _time.Advance(FrameInterval);
        }
    }

    private int _audioMs;

    private void SendAudioUntil(Sink ladder, int ms)
    {
        for (; _audioMs < ms; _audioMs += 20)
        {
            if (_audioMs % 1000 == 0)
            {
                ladder.Report(HlsTrack.Audio, 0, Ntp(_audioMs / 1000.0 * Fps), _audioTs);
            }

            byte[] packet = new byte[12 + 3];
            packet[0] = 0x80;
            packet[1] = 111;
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), _audioSeq++);
            BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), _audioTs);
            BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 0x2000);
            packet[12] = 0x78; // Opus config 15 (CELT FB 20 ms), one frame
            _audioTs += 960;
            ladder.Audio(packet);
        }
    }

    private ulong Ntp(double frame) => SenderReportClock.FromDateTime(_capture0 + (frame * FrameInterval));

    private static byte[] Slice(byte header, int size)
    {
        byte[] nal = new byte[size];
        nal[0] = header;
        nal[1] = 0x88;
        return nal;
    }

    private static byte[] Rtp(Layer layer, byte[] nal, uint ts, bool marker)
    {
        byte[] packet = new byte[12 + nal.Length];
        packet[0] = 0x80;
        packet[1] = (byte)((marker ? 0x80 : 0) | 102);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), layer.Seq++);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), ts);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), layer.Ssrc);
        nal.CopyTo(packet.AsSpan(12));
        return packet;
    }

    /// <summary>A baseline SPS (profile 66, level 3.1) for a picture of <paramref name="width"/> ×
    /// <paramref name="height"/>, both multiples of 16.</summary>
    public static byte[] Sps(int width, int height)
    {
        var bits = new List<bool>();
        void U(int value, int count)
        {
            for (int b = count - 1; b >= 0; b--)
            {
                bits.Add(((value >> b) & 1) == 1);
            }
        }

        void Ue(int value)
        {
            int v = value + 1;
            int length = 32 - BitOperations.LeadingZeroCount((uint)v);
            U(0, length - 1);
            U(v, length);
        }

        U(66, 8); // profile_idc
        U(0xC0, 8); // constraint flags
        U(31, 8); // level_idc
        Ue(0); // seq_parameter_set_id
        Ue(0); // log2_max_frame_num_minus4
        Ue(2); // pic_order_cnt_type
        Ue(1); // max_num_ref_frames
        U(0, 1); // gaps_in_frame_num_value_allowed_flag
        Ue((width / 16) - 1);
        Ue((height / 16) - 1);
        U(1, 1); // frame_mbs_only_flag
        U(1, 1); // direct_8x8_inference_flag
        U(0, 1); // frame_cropping_flag
        U(0, 1); // vui_parameters_present_flag
        U(1, 1); // rbsp_stop_one_bit
        while (bits.Count % 8 != 0)
        {
            bits.Add(false);
        }

        byte[] sps = new byte[1 + (bits.Count / 8)];
        sps[0] = 0x67;
        for (int i = 0; i < bits.Count; i++)
        {
            if (bits[i])
            {
                sps[1 + (i / 8)] |= (byte)(0x80 >> (i % 8));
            }
        }

        return sps;
    }

    private sealed class Layer(byte[] sps, uint ssrc, ushort seq, uint timestampBase, int own, int phase)
    {
        public byte[] Sps { get; } = sps;
        public uint Ssrc { get; } = ssrc;
        public ushort Seq { get; set; } = seq;
        public uint TimestampBase { get; } = timestampBase;
        public int Own { get; } = own;
        public int Phase { get; } = phase;
        public int StartFrame { get; set; }
        public (int From, int To) Pause { get; set; } = (-1, -1);
        public bool WasOff { get; set; } = true;
    }
}
