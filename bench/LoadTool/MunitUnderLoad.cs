using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MobZ.Munit.Control;
using MobZ.Munit.Routing;
using MobZ.Rtc.Codecs;
using MobZ.Rtc.Srtp;

namespace MobZ.LoadTool;

/// <summary>
/// The Munit's media engine behind one UDP socket on 127.0.0.1, as the transport runs it: one receive thread
/// that unprotects (SRTP), forwards, and protects + sends per viewer. ICE and DTLS are left out (they cost
/// nothing per packet); each peer's SRTP keys are handed over directly.
/// </summary>
internal sealed class MunitUnderLoad : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Dictionary<int, (Publisher Publisher, SrtpContext Receive)> _publishersByPort = [];
    private readonly List<StationRouter> _stations = [];
    private Thread? _thread;
    private volatile bool _stop;

    public MunitUnderLoad()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _socket.ReceiveBufferSize = 8 * 1024 * 1024;
        _socket.SendBufferSize = 8 * 1024 * 1024;
        Engine = new MediaEngine();
    }

    public MediaEngine Engine { get; }
    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;
    public int ReceiveThreadId { get; private set; }
    public long Received { get; private set; }
    public long UnprotectFailures { get; private set; }

    /// <summary>Time from a datagram's receive to the last viewer's send: unprotect, forward, protect ×
    /// fan-out.</summary>
    public LatencyHistogram Processing { get; } = new();
    public bool Measuring { get; set; }

    public void AddPublisher(int index, IPEndPoint from, SrtpContext receive)
    {
        var station = new StationRouter(
            Engine,
            new StationDescriptor($"st-{index}", "load", $"pub-{index}", "m2m", false)
        );
        var publisher = station.AttachPublisher(
            $"pub-{index}",
            new UdpSrtpOutput(_socket, from, null),
            [
                new PublishedTrack(MediaKind.Audio, MediaCodec.Opus, 111, 48000, 0, [null], "0"),
                new PublishedTrack(MediaKind.Video, MediaCodec.Vp8, 96, 90000, 0, [null], "1"),
            ],
            new PublisherExtensions()
        );
        _stations.Add(station);
        _publishersByPort[from.Port] = (publisher, receive);
    }

    /// <summary>A viewer of every station (m2m: everyone watches every publisher).</summary>
    public void AddSubscriber(int index, IPEndPoint to, SrtpContext send)
    {
        var subscriber = new Subscriber($"viewer-{index}", new UdpSrtpOutput(_socket, to, send));
        Engine.Add(subscriber);
        foreach (var station in _stations)
        {
            uint Ssrc() => (uint)Random.Shared.NextInt64(1, uint.MaxValue);
            station.AddViewer(subscriber, [new ConsumedTrack(Ssrc(), 111), new ConsumedTrack(Ssrc(), 96)]);
        }
    }

    public void Start()
    {
        Engine.Start();
        _thread = new Thread(ReceiveLoop) { IsBackground = true, Name = "munit-receive" };
        _thread.Start();
    }

    private void ReceiveLoop()
    {
        ReceiveThreadId = ThreadCpu.CurrentThreadId();
        var buffer = GC.AllocateUninitializedArray<byte>(2048, pinned: true);
        var from = new SocketAddress(AddressFamily.InterNetwork);
        var endpoint = new IPEndPoint(IPAddress.Loopback, 0);
        _socket.ReceiveTimeout = 200;
        while (!_stop)
        {
            int n;
            try
            {
                n = _socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (SocketException)
            {
                continue;
            }
            var sender = (IPEndPoint)endpoint.Create(from);
            if (!_publishersByPort.TryGetValue(sender.Port, out var p))
                continue;
            Received++;
            long start = Stopwatch.GetTimestamp();
            if (p.Receive.UnprotectRtp(buffer.AsSpan(0, n), out int plain) != SrtpStatus.Ok)
            {
                UnprotectFailures++;
                continue;
            }
            Engine.OnPublisherRtp(p.Publisher, buffer.AsSpan(0, plain));
            if (Measuring)
                Processing.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread?.Join();
        foreach (var s in _stations)
            s.Dispose();
        Engine.Dispose();
        _socket.Dispose();
    }

    /// <summary>What the transport does for a viewer: SRTP protect in place, one sendto.</summary>
    private sealed class UdpSrtpOutput(Socket socket, IPEndPoint to, SrtpContext? send) : IPeerOutput
    {
        private readonly SocketAddress _to = to.Serialize();

        public void SendRtp(Span<byte> buffer, int length)
        {
            if (send is null || send.ProtectRtp(buffer, length, out int protectedLength) != SrtpStatus.Ok)
                return;
            socket.SendTo(buffer[..protectedLength], SocketFlags.None, _to);
        }

        public void SendRtcp(Span<byte> buffer, int length)
        {
            // Reports to the synthetic peers are not needed for the measurement.
        }
    }
}
