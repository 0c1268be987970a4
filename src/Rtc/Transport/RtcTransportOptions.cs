using System.Net;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Ice;

namespace MobZ.Rtc.Transport;

public sealed class RtcTransportOptions
{
    /// <summary>Address the shared UDP socket binds to: 127.0.0.1 for tests and local runs, 0.0.0.0 on a
    /// server.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>UDP port; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>
    /// Address announced in host candidates instead of the bound one — the task's public IP on ECS
    /// Fargate, where the socket binds a private address behind 1:1 NAT. With <see cref="BindAddress"/>
    /// 0.0.0.0 and no announced address, 127.0.0.1 is announced.
    /// </summary>
    public IPAddress? AnnouncedAddress { get; init; }

    /// <summary>Kernel receive buffer; large so a burst of video from many peers is not dropped by the OS.</summary>
    public int SocketReceiveBufferSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Kernel send buffer of the UDP socket. Sends never wait for it: what it cannot hold is dropped and
    /// counted (<c>socket_full</c>).</summary>
    public int SocketSendBufferSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// Use <c>sendmmsg</c> for the UDP socket's egress where the platform has it (64-bit Linux); otherwise, or when
    /// false, one non-blocking <c>sendto</c> per datagram. Either way sends never wait. The choice is logged at start.
    /// </summary>
    public bool SystemCallBatching { get; init; } = true;

    /// <summary>At most this many datagrams are read (and handled) before what they produced is flushed.</summary>
    public int IngressBatchSize { get; init; } = 32;

    /// <summary>Datagrams the receive thread batches before a send (one sendmmsg); a full batch is flushed at once.
    /// Each slot is 2 KiB of pinned memory.</summary>
    public int EgressBatchSize { get; init; } = 64;

    /// <summary>
    /// How often consent freshness is evaluated for every peer (and ICE-TCP deadlines for every connection). The
    /// timer runs only while a peer or a connection exists.
    /// </summary>
    public TimeSpan TimerInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Clock of that timer and of every peer's consent freshness (a fake clock in tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>ICE over TCP beside the UDP port (RFC 6544 passive candidates); null: UDP only.</summary>
    public IceTcpOptions? Tcp { get; init; }

    public IceLiteOptions Ice { get; init; } = new();

    public DtlsSessionOptions Dtls { get; init; } = new();

    /// <summary>One certificate for every peer on this transport; generated when null.</summary>
    public DtlsCertificate? Certificate { get; init; }
}
