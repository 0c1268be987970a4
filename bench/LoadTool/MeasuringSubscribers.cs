using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MobZ.Rtc.Rtp;
using MobZ.Rtc.Srtp;

namespace MobZ.LoadTool;

/// <summary>
/// Viewers on their own UDP sockets: unprotect what the Munit sends, measure latency from the send time in
/// the payload, and count loss from gaps in each stream's (rewritten, continuous) sequence numbers.
/// </summary>
internal sealed class MeasuringSubscribers : IDisposable
{
    private readonly List<Viewer> _viewers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    public LatencyHistogram Latency { get; } = new();
    public long Received => _viewers.Sum(v => Interlocked.Read(ref v.Received));
    public long Expected => _viewers.Sum(v => v.Expected);
    public bool Measuring { get; set; }

    private sealed class Viewer(Socket socket, SrtpContext receive)
    {
        public Socket Socket { get; } = socket;
        public SrtpContext Receive { get; } = receive;
        public long Received;
        public Dictionary<uint, (ushort First, ushort Last, long Count)> Streams { get; } = [];
        public long Expected => Streams.Values.Sum(s => (long)(ushort)(s.Last - s.First) + 1);
    }

    public IPEndPoint Add(SrtpContext receive)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.ReceiveBufferSize = 4 * 1024 * 1024;
        _viewers.Add(new Viewer(socket, receive));
        return (IPEndPoint)socket.LocalEndPoint!;
    }

    public void Start()
    {
        foreach (var v in _viewers)
            _loops.Add(Task.Run(() => ReceiveAsync(v)));
    }

    private async Task ReceiveAsync(Viewer viewer)
    {
        var buffer = new byte[2048];
        int seq8 = 0;
        while (!_stop.IsCancellationRequested)
        {
            int n;
            try
            {
                n = await viewer.Socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException)
            {
                continue;
            }
            if (Measuring)
                Record(viewer, buffer.AsSpan(0, n), Stopwatch.GetTimestamp(), ref seq8);
        }
    }

    /// <summary>Counts one datagram a viewer received; the header is read here, not in the async loop, because a
    /// Debug build keeps every local of an async method across its awaits, which a ref struct cannot be.</summary>
    private void Record(Viewer viewer, Span<byte> datagram, long now, ref int seq8)
    {
        // The RTP header travels in clear under SRTP: loss is counted from every packet; the send time in
        // the (encrypted) payload only from one packet in eight per viewer, so the measuring clients do not
        // starve the Munit of the two cores they share.
        if (!RtpPacket.TryRead(datagram, out var header))
            return;
        Interlocked.Increment(ref viewer.Received);
        lock (viewer.Streams)
        {
            ushort seq = header.SequenceNumber;
            viewer.Streams[header.Ssrc] = viewer.Streams.TryGetValue(header.Ssrc, out var s)
                ? (s.First, SequenceNumbers.IsNewer(seq, s.Last) ? seq : s.Last, s.Count + 1)
                : (seq, seq, 1);
        }
        if ((seq8++ & 7) != 0)
            return;
        if (viewer.Receive.UnprotectRtp(datagram, out int plain) != SrtpStatus.Ok)
            return;
        if (!RtpPacket.TryRead(datagram[..plain], out var rtp) || rtp.Payload.Length < 10)
            return;
        long sent = BinaryPrimitives.ReadInt64BigEndian(rtp.Payload[2..]);
        Latency.Add(Stopwatch.GetElapsedTime(sent, now).TotalMicroseconds);
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            Task.WaitAll(_loops.ToArray(), TimeSpan.FromSeconds(2));
        }
        catch (AggregateException) { }
        foreach (var v in _viewers)
            v.Socket.Dispose();
        _stop.Dispose();
    }
}
