using System.Net;
using Microsoft.Extensions.Logging;
using MobZ.Munit.Routing;
using MobZ.Munit.Workers;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Transport;

namespace MobZ.Munit.WebRtc;

/// <summary>
/// One media worker: its own UDP port (<see cref="RtcUdpTransport"/>: socket, receive thread, ICE-TCP listener,
/// consent and DTLS timers, and the loop's timer queue), its own <see cref="MediaEngine"/> (forwarder, reporter, lock,
/// and its tick, which runs on the worker's loop) and the peers,
/// SRTP contexts, stations and viewer sessions placed on it. Two workers share nothing on the per-packet path: a
/// datagram is read, decrypted, forwarded, protected and sent by the thread of the worker whose port it reached.
/// </summary>
public sealed class MediaWorker : IDisposable
{
    internal MediaWorker(
        int index,
        MunitOptions options,
        TimeProvider clock,
        DtlsCertificate certificate,
        ILoggerFactory loggers
    )
    {
        Index = index;
        Transport = new RtcUdpTransport(
            new RtcTransportOptions
            {
                TimeProvider = clock,
                Dtls = new DtlsSessionOptions { TimeProvider = clock },
                Certificate = certificate,
                BindAddress = IPAddress.Parse(options.BindAddress),
                Port = Offset(options.Port, index),
                AnnouncedAddress = string.IsNullOrWhiteSpace(options.PublicAddress)
                    ? null
                    : IPAddress.Parse(options.PublicAddress),
                Tcp =
                    options.TcpPort == 0
                        ? null
                        : new IceTcpOptions
                        {
                            Port = options.TcpPort is { } tcp ? Offset(tcp, index) : null,
                            TimeProvider = clock,
                        },
                SocketSendBufferSize = options.SocketSendBufferSize,
                SocketReceiveBufferSize = options.SocketReceiveBufferSize,
                EgressBatchSize = options.EgressBatchSize,
                IngressBatchSize = options.IngressBatchSize,
                SystemCallBatching = options.SystemCallBatching,
            },
            loggers
        );
        try
        {
            Engine = new MediaEngine(time: clock, logger: loggers.CreateLogger<MediaEngine>());
            Engine.Start(Transport.Timers);
        }
        catch
        {
            Transport.Dispose();
            throw;
        }
        Cpu = new ThreadCpuMeter(() => Transport.ReceiveThreadId);
    }

    /// <summary>0 for the first worker; its ports are the configured ones plus this index.</summary>
    public int Index { get; }

    public RtcUdpTransport Transport { get; }
    public MediaEngine Engine { get; }

    /// <summary>The worker loop's CPU (the receive thread: every datagram's handling, forwarding and sends).</summary>
    public ThreadCpuMeter Cpu { get; }

    /// <summary>The UDP port bound: in this worker's peers' ICE candidates.</summary>
    public int Port => Transport.LocalEndPoint.Port;

    /// <summary>A configured port for worker <paramref name="index"/>: one port per worker, counting up from the
    /// configured one; 0 (any free port) stays 0.</summary>
    internal static int Offset(int port, int index) => port == 0 ? 0 : port + index;

    public void Dispose()
    {
        Engine.Dispose();
        Transport.Dispose();
    }
}
