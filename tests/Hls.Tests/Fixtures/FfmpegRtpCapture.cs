using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MobZ.Hls;

namespace MobZ.Hls.Tests.Fixtures;

/// <summary>One datagram ffmpeg sent, in arrival order.</summary>
public sealed record CapturedPacket(HlsTrack Track, bool IsRtcp, byte[] Data);

/// <summary>
/// Real publisher input: ffmpeg encodes a test pattern (libx264) and a tone (libopus) and sends them with
/// its own RTP packetizers (FU-A, STAP-A, RFC 7587) and RTCP sender reports to loopback sockets this
/// fixture reads.
/// </summary>
public static class FfmpegRtpCapture
{
    public const string Ffmpeg = "/usr/bin/ffmpeg";

    public static async Task<IReadOnlyList<CapturedPacket>> CaptureAsync(
        double seconds,
        string size = "320x240",
        int fps = 30,
        int gop = 30,
        string profile = "baseline",
        string extraVideoArgs = "",
        Action<CapturedPacket>? live = null
    )
    {
        // RTP and RTCP of a track share one socket (rtcp-mux, as WebRTC has it): ffmpeg sends a track's first
        // sender report just before its first packet, and only one reader per track keeps that order.
        using var video = Bind();
        using var audio = Bind();
        var packets = new List<CapturedPacket>();
        using var stop = new CancellationTokenSource();
        Task[] readers =
        [
            ReadAsync(video, HlsTrack.Video, packets, live, stop.Token),
            ReadAsync(audio, HlsTrack.Audio, packets, live, stop.Token),
        ];

        string s = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string args =
            $"-hide_banner -loglevel error -re -t {s} -f lavfi -i testsrc=size={size}:rate={fps} "
            + $"-re -t {s} -f lavfi -i sine=frequency=440:sample_rate=48000 "
            + $"-map 0:v -c:v libx264 -profile:v {profile} -tune zerolatency -g {gop} -keyint_min {gop} -sc_threshold 0 -pix_fmt yuv420p -bsf:v dump_extra {extraVideoArgs} "
            + $"-f rtp -payload_type 96 rtp://127.0.0.1:{Port(video)}?rtcpport={Port(video)}&pkt_size=1200 "
            + $"-map 1:a -c:a libopus -ac 2 -b:a 64k -f rtp -payload_type 111 rtp://127.0.0.1:{Port(audio)}?rtcpport={Port(audio)}&pkt_size=1200";
        using var process = Process.Start(
            new ProcessStartInfo(Ffmpeg, args) { RedirectStandardOutput = true, RedirectStandardError = true }
        )!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 30)))
        {
            await process.WaitForExitAsync(timeout.Token);
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg failed: {await stderr}");
        }

        // Let the last datagrams land, then stop the readers.
        int count;
        do
        {
            lock (packets)
            {
                count = packets.Count;
            }

            await Task.Delay(100);
        } while (Count(packets) != count);

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        return packets;
    }

    private static int Count(List<CapturedPacket> packets)
    {
        lock (packets)
        {
            return packets.Count;
        }
    }

    private static Socket Bind()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 4 * 1024 * 1024;
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static int Port(Socket socket) => ((IPEndPoint)socket.LocalEndPoint!).Port;

    private static async Task ReadAsync(
        Socket socket,
        HlsTrack track,
        List<CapturedPacket> packets,
        Action<CapturedPacket>? live,
        CancellationToken stop
    )
    {
        byte[] buffer = new byte[2048];
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, stop);
                // RFC 5761 §4: RTCP packet types 200-204 fall where RTP would carry payload types 72-76.
                bool rtcp = n >= 2 && buffer[1] is >= 200 and <= 204;
                var packet = new CapturedPacket(track, rtcp, buffer.AsSpan(0, n).ToArray());
                lock (packets)
                {
                    packets.Add(packet);
                    live?.Invoke(packet);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Reads an RTCP sender report's NTP and RTP timestamps (RFC 3550 §6.4.1).</summary>
    public static bool TryReadSenderReport(ReadOnlySpan<byte> rtcp, out ulong ntp, out uint rtpTimestamp)
    {
        ntp = 0;
        rtpTimestamp = 0;
        if (rtcp.Length < 28 || rtcp[1] != 200)
        {
            return false;
        }

        ntp = BinaryPrimitives.ReadUInt64BigEndian(rtcp[8..]);
        rtpTimestamp = BinaryPrimitives.ReadUInt32BigEndian(rtcp[16..]);
        return true;
    }

    /// <summary>Feeds every packet to the packager the way the Munit would.</summary>
    public static void Replay(IEnumerable<CapturedPacket> packets, HlsPackager packager)
    {
        foreach (CapturedPacket packet in packets)
        {
            Feed(packet, packager);
        }
    }

    public static void Feed(CapturedPacket packet, HlsPackager packager)
    {
        {
            if (!packet.IsRtcp)
            {
                packager.OnRtp(packet.Data, packet.Track);
            }
            else if (TryReadSenderReport(packet.Data, out ulong ntp, out uint rtp))
            {
                packager.OnSenderReport(packet.Track, ntp, rtp);
            }
        }
    }
}
