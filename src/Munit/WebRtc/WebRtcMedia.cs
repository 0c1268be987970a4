using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Munit.Control;
using MobZ.Munit.Routing;
using MobZ.Munit.Tap;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Transport;

namespace MobZ.Munit.WebRtc;

/// <summary>
/// The Munit's WebRTC media: one UDP port (<see cref="RtcUdpTransport"/>, with ICE-TCP beside it unless
/// <see cref="MunitOptions.TcpPort"/> is 0) shared by every publisher and viewer,
/// one <see cref="MediaEngine"/>, and the viewer sessions, which may span stations. Creates each station's media.
/// </summary>
public sealed class WebRtcMedia : IStationMediaFactory, IPeerLossSource, IDisposable
{
    public event Action<PeerLost>? PeerLost;

    /// <summary>Not while the whole Munit shuts down: its closing transport ends every peer, and nobody is
    /// lost.</summary>
    internal void ReportPeerLost(PeerLost lost)
    {
        if (Volatile.Read(ref _disposed) == 0)
            PeerLost?.Invoke(lost);
    }

    private readonly ConcurrentDictionary<string, ViewerSession> _viewers = new(StringComparer.Ordinal);
    private readonly ILoggerFactory _loggers;

    public WebRtcMedia(
        MunitOptions options,
        IStationTapFactory? tapFactory = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? time = null
    )
    {
        _loggers = loggerFactory ?? NullLoggerFactory.Instance;
        TapFactory = tapFactory;
        // One clock for the engine and the transport's consent, ICE-TCP and DTLS timers: the host's.
        var clock = time ?? TimeProvider.System;
        Transport = new RtcUdpTransport(
            new RtcTransportOptions
            {
                TimeProvider = clock,
                Dtls = new DtlsSessionOptions { TimeProvider = clock },
                BindAddress = IPAddress.Parse(options.BindAddress),
                Port = options.Port,
                AnnouncedAddress = string.IsNullOrWhiteSpace(options.PublicAddress)
                    ? null
                    : IPAddress.Parse(options.PublicAddress),
                Tcp = options.TcpPort == 0 ? null : new IceTcpOptions { Port = options.TcpPort, TimeProvider = clock },
                SocketSendBufferSize = options.SocketSendBufferSize,
                SocketReceiveBufferSize = options.SocketReceiveBufferSize,
                EgressBatchSize = options.EgressBatchSize,
                IngressBatchSize = options.IngressBatchSize,
                SystemCallBatching = options.SystemCallBatching,
            },
            _loggers
        );
        Engine = new MediaEngine(time: clock, logger: _loggers.CreateLogger<MediaEngine>());
        Engine.Start();
    }

    public RtcUdpTransport Transport { get; }
    public MediaEngine Engine { get; }
    public IStationTapFactory? TapFactory { get; }

    /// <summary>The UDP port actually bound (when the options asked for 0).</summary>
    public int Port => Transport.LocalEndPoint.Port;

    /// <summary>The ICE-TCP port bound; null when ICE-TCP is off.</summary>
    public int? TcpPort => Transport.TcpEndPoint?.Port;

    public IStationMedia Create(StationDescriptor station) =>
        new WebRtcStationMedia(this, station, _loggers.CreateLogger<WebRtcStationMedia>());

    private int _disposed;

    internal ViewerSession GetOrAddViewer(string peerId) =>
        _viewers.GetOrAdd(peerId, id => new ViewerSession(id, Engine, Transport));

    internal ViewerSession? FindViewer(string peerId) => _viewers.GetValueOrDefault(peerId);

    internal void RemoveViewerIfEmpty(ViewerSession session)
    {
        if (!session.IsEmpty)
            return;
        if (_viewers.TryRemove(new KeyValuePair<string, ViewerSession>(session.PeerId, session)))
            session.Close();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        foreach (var v in _viewers.Values)
            v.Close();
        _viewers.Clear();
        Engine.Dispose();
        Transport.Dispose();
    }
}
