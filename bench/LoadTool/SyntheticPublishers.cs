using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MobZ.Rtc.Rtp;
using MobZ.Rtc.Srtp;

namespace MobZ.LoadTool;

/// <summary>
/// Publishers sending what a browser sends: VP8 at the configured bitrate in 1,100-byte packets (a keyframe
/// every 2 s) and Opus every 20 ms (~100 bytes), SRTP-protected, each from its own UDP socket. The payload
/// carries the send time so viewers measure the forwarding latency. A publisher is either a UDP socket with
/// synthetic SRTP keys (<see cref="Add(SrtpContext, IPEndPoint)"/>) or a real WebRTC client peer
/// (<see cref="Add(RtpSink, uint, uint)"/>).
/// </summary>
internal sealed class SyntheticPublishers : IDisposable
{
    public const int VideoPayload = 1100,
        AudioPayload = 100,
        VideoPayloadType = 96,
        AudioPayloadType = 111;
    private readonly List<(RtpSink Send, uint VideoSsrc, uint AudioSsrc)> _peers = [];
    private readonly List<Socket> _sockets = [];
    private readonly double _videoPacketsPerSecond;
    private Thread? _thread;
    private volatile bool _stop;

    /// <summary>Protects and sends one plain RTP packet held in <c>buffer[..length]</c> (the buffer has room for
    /// the SRTP trailer); false when it could not be sent.</summary>
    public delegate bool RtpSink(Span<byte> buffer, int length);

    public SyntheticPublishers(int videoKbps)
    {
        _videoPacketsPerSecond = videoKbps * 1000.0 / 8 / VideoPayload;
    }

    public long Sent { get; private set; }
    public double PacketsPerSecondEach => _videoPacketsPerSecond + 50;

    /// <summary>A publisher on its own UDP socket, protecting with <paramref name="send"/>.</summary>
    public IPEndPoint Add(SrtpContext send, IPEndPoint munit)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _sockets.Add(socket);
        Add(
            (buffer, length) =>
            {
                if (send.ProtectRtp(buffer, length, out int protectedLength) != SrtpStatus.Ok)
                    return false;
                socket.SendTo(buffer[..protectedLength], SocketFlags.None, munit);
                return true;
            },
            NewSsrc(),
            NewSsrc()
        );
        return (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>A publisher whose packets go to <paramref name="send"/> with the SSRCs its offer declared.</summary>
    public void Add(RtpSink send, uint videoSsrc, uint audioSsrc) => _peers.Add((send, videoSsrc, audioSsrc));

    public static uint NewSsrc() => (uint)Random.Shared.NextInt64(1, uint.MaxValue);

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "publishers" };
        _thread.Start();
    }

    private void Run()
    {
        var buffer = new byte[2048];
        var payload = new byte[VideoPayload];
        var clock = Stopwatch.StartNew();
        long videoSent = 0,
            audioSent = 0;
        ushort videoSeq = 0,
            audioSeq = 0;
        while (!_stop)
        {
            double t = clock.Elapsed.TotalSeconds;
            while (videoSent < t * _videoPacketsPerSecond)
            {
                bool key = videoSent % (long)Math.Max(1, _videoPacketsPerSecond * 2) == 0;
                payload[0] = 0x10;
                payload[1] = (byte)(key ? 0x00 : 0x01);
                SendAll(
                    buffer,
                    payload.AsSpan(0, VideoPayload),
                    VideoPayloadType,
                    videoSeq++,
                    (uint)(t * 90000),
                    video: true
                );
                videoSent++;
            }
            while (audioSent < t * 50)
            {
                payload[0] = 0xFC;
                payload[1] = 0;
                SendAll(
                    buffer,
                    payload.AsSpan(0, AudioPayload),
                    AudioPayloadType,
                    audioSeq++,
                    (uint)(t * 48000),
                    video: false
                );
                audioSent++;
            }
            Thread.Sleep(1);
        }
    }

    private void SendAll(byte[] buffer, Span<byte> payload, byte pt, ushort seq, uint ts, bool video)
    {
        foreach (var (send, videoSsrc, audioSsrc) in _peers)
        {
            BinaryPrimitives.WriteInt64BigEndian(payload[2..], Stopwatch.GetTimestamp());
            var writer = new RtpPacketWriter
            {
                PayloadType = pt,
                SequenceNumber = seq,
                Timestamp = ts,
                Ssrc = video ? videoSsrc : audioSsrc,
                Payload = payload,
            };
            if (!writer.TryWrite(buffer, out int length))
                continue;
            if (send(buffer, length))
                Sent++;
        }
    }

    public void Stop()
    {
        _stop = true;
        _thread?.Join();
    }

    public void Dispose()
    {
        Stop();
        foreach (var socket in _sockets)
            socket.Dispose();
    }
}
