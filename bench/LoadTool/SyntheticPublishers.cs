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
/// carries the send time so viewers measure the forwarding latency.
/// </summary>
internal sealed class SyntheticPublishers : IDisposable
{
    public const int VideoPayload = 1100,
        AudioPayload = 100;
    private readonly List<(Socket Socket, SrtpContext Send, uint VideoSsrc, uint AudioSsrc)> _peers = [];
    private readonly IPEndPoint _munit;
    private readonly double _videoPacketsPerSecond;
    private Thread? _thread;
    private volatile bool _stop;

    public SyntheticPublishers(IPEndPoint munit, int videoKbps)
    {
        _munit = munit;
        _videoPacketsPerSecond = videoKbps * 1000.0 / 8 / VideoPayload;
    }

    public long Sent { get; private set; }
    public double PacketsPerSecondEach => _videoPacketsPerSecond + 50;

    public IPEndPoint Add(SrtpContext send)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _peers.Add(
            (
                socket,
                send,
                (uint)Random.Shared.NextInt64(1, uint.MaxValue),
                (uint)Random.Shared.NextInt64(1, uint.MaxValue)
            )
        );
        return (IPEndPoint)socket.LocalEndPoint!;
    }

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
                SendAll(buffer, payload.AsSpan(0, VideoPayload), 96, videoSeq++, (uint)(t * 90000), video: true);
                videoSent++;
            }
            while (audioSent < t * 50)
            {
                payload[0] = 0xFC;
                payload[1] = 0;
                SendAll(buffer, payload.AsSpan(0, AudioPayload), 111, audioSeq++, (uint)(t * 48000), video: false);
                audioSent++;
            }
            Thread.Sleep(1);
        }
    }

    private void SendAll(byte[] buffer, Span<byte> payload, byte pt, ushort seq, uint ts, bool video)
    {
        foreach (var (socket, send, videoSsrc, audioSsrc) in _peers)
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
            if (send.ProtectRtp(buffer, length, out int protectedLength) != SrtpStatus.Ok)
                continue;
            socket.SendTo(buffer.AsSpan(0, protectedLength), SocketFlags.None, _munit);
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
        foreach (var p in _peers)
            p.Socket.Dispose();
    }
}
