using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using MobZ.Rtc.Transport.Egress;

namespace MobZ.Bench.Rtc;

/// <summary>
/// The kernel send of the Munit's fan-out, per packet: 64 SRTP-sized datagrams (1,216 bytes) to 16 viewers on
/// loopback, copied into the egress batch and flushed in one <c>sendmmsg</c>, against the same batch flushed with one
/// non-blocking <c>sendto</c> each (the portable path, and what main did per viewer) and against sendmmsg one datagram
/// at a time (the system call's own cost without batching). The viewers never read: the kernel drops at their full
/// receive buffers, which every variant pays alike. Allocated must be 0 B: the batch copies into pinned slots and
/// counts with interlocked adds.
/// </summary>
[MemoryDiagnoser]
public class UdpEgressBenchmarks
{
    private const int Packets = 64;
    private const int Viewers = 16;
    private const int PacketLength = 1216;

    private readonly byte[] _packet = new byte[PacketLength];
    private readonly EgressCounters _counters = new();
    private readonly EgressCounters _peer = new();
    private Socket _socket = null!;
    private Socket[] _viewers = null!;
    private UdpDestination[] _destinations = null!;
    private UdpEgressBatch _batch = null!;
    private UdpEgressBatch _single = null!;
    private SendmmsgSender _sendmmsg = null!;
    private SendmmsgSender _sendmmsgOne = null!;
    private PortableSender _sendto = null!;

    [GlobalSetup]
    public void Setup()
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
        _socket.SendBufferSize = 4 * 1024 * 1024;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _viewers = new Socket[Viewers];
        _destinations = new UdpDestination[Viewers];
        for (int i = 0; i < Viewers; i++)
        {
            _viewers[i] = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _viewers[i].Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _destinations[i] = new UdpDestination((IPEndPoint)_viewers[i].LocalEndPoint!, AddressFamily.InterNetwork);
        }

        if (!SendmmsgSender.IsAvailable(_socket, out var unavailable))
            throw new InvalidOperationException("sendmmsg unavailable: " + unavailable);
        _batch = new UdpEgressBatch(Packets);
        _single = new UdpEgressBatch(1);
        _sendmmsg = new SendmmsgSender(_socket, Packets);
        _sendmmsgOne = new SendmmsgSender(_socket, 1);
        _sendto = new PortableSender(_socket);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var viewer in _viewers)
            viewer.Dispose();
        _socket.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Packets)]
    public int Sendto_one_call_per_packet() => FillAndFlush(_sendto);

    [Benchmark(OperationsPerInvoke = Packets)]
    public int Sendmmsg_one_call_per_64_packets() => FillAndFlush(_sendmmsg);

    [Benchmark(OperationsPerInvoke = Packets)]
    public int Sendmmsg_one_call_per_packet()
    {
        int sent = 0;
        for (int i = 0; i < Packets; i++)
        {
            var to = _destinations[i % Viewers];
            _single.Add(_packet, to.Native, to.Address, _peer);
            sent += _single.Flush(_sendmmsgOne, _counters);
        }

        return sent;
    }

    private int FillAndFlush(IDatagramBatchSender sender)
    {
        for (int i = 0; i < Packets; i++)
        {
            var to = _destinations[i % Viewers];
            _batch.Add(_packet, to.Native, to.Address, _peer);
        }

        return _batch.Flush(sender, _counters);
    }
}
