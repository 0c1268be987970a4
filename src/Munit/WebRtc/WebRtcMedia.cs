using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Munit.Control;
using MobZ.Munit.Routing;
using MobZ.Munit.Tap;
using MobZ.Munit.Workers;
using MobZ.Rtc.Dtls;
using MobZ.Rtc.Transport;

namespace MobZ.Munit.WebRtc;

/// <summary>
/// The Munit's WebRTC media: <see cref="MunitOptions.Workers"/> media workers (<see cref="MediaWorker"/>), each with
/// its own UDP port (and ICE-TCP port beside it unless <see cref="MunitOptions.TcpPort"/> is 0), peers and media
/// engine, and the viewer sessions, which may span the stations of a room. Creates each station's media on the
/// worker <see cref="WorkerPlacement"/> picks: a room's stations and its viewers' connections share one worker.
/// </summary>
public sealed class WebRtcMedia : IStationMediaFactory, IPeerLossSource, IWorkerLoadSource, IDisposable
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
    private readonly MediaWorker[] _workers;

    public WebRtcMedia(
        MunitOptions options,
        IStationTapFactory? tapFactory = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? time = null
    )
    {
        _loggers = loggerFactory ?? NullLoggerFactory.Instance;
        TapFactory = tapFactory;
        // One clock for every worker's engine and its transport's consent, ICE-TCP and DTLS timers: the host's.
        var clock = time ?? TimeProvider.System;
        int count = options.EffectiveWorkers;
        // One certificate for every worker, as for every peer: one fingerprint whichever port a peer reaches.
        var certificate = DtlsCertificate.Generate(time: clock);
        var workers = new List<MediaWorker>(count);
        try
        {
            for (int i = 0; i < count; i++)
                workers.Add(new MediaWorker(i, options, clock, certificate, _loggers));
        }
        catch
        {
            foreach (var w in workers)
                w.Dispose();
            throw;
        }
        _workers = [.. workers];
        Placement = new WorkerPlacement(count, i => _workers[i].Transport.PeerCount);
        _loggers
            .CreateLogger<WebRtcMedia>()
            .LogInformation(
                "{Workers} media worker(s) on udp ports {Ports}",
                count,
                string.Join(", ", _workers.Select(w => w.Port))
            );
    }

    /// <summary>The media workers, in index order.</summary>
    public IReadOnlyList<MediaWorker> Workers => _workers;

    /// <summary>Which worker each room's stations go to.</summary>
    public WorkerPlacement Placement { get; }

    public IStationTapFactory? TapFactory { get; }

    /// <summary>The first worker's UDP port, as bound (when the options asked for 0): the one the Munit registers
    /// under. Each peer's own worker port is in its ICE candidates.</summary>
    public int Port => _workers[0].Port;

    /// <summary>The first worker's ICE-TCP port; null when ICE-TCP is off.</summary>
    public int? TcpPort => _workers[0].Transport.TcpEndPoint?.Port;

    public IStationMedia Create(StationDescriptor station)
    {
        var worker = _workers[Placement.Place(station.RoomId)];
        try
        {
            return new WebRtcStationMedia(this, worker, station, _loggers.CreateLogger<WebRtcStationMedia>());
        }
        catch
        {
            Placement.Release(station.RoomId);
            throw;
        }
    }

    public IReadOnlyList<WorkerLoad> GetWorkerLoads() =>
        [
            .. _workers.Select(w => new WorkerLoad(
                w.Index,
                w.Port,
                Placement.RoomsOn(w.Index),
                Placement.StationsOn(w.Index),
                w.Transport.PeerCount,
                w.Cpu.Sample()
            )),
        ];

    private int _disposed;

    /// <summary>
    /// The viewer's session, on <paramref name="worker"/>. A viewer's one peer connection lives on one worker; a
    /// station of another room, placed on another worker, cannot join it (a viewer watches the stations of its
    /// room).
    /// </summary>
    internal ViewerSession GetOrAddViewer(string peerId, MediaWorker worker)
    {
        var session = _viewers.GetOrAdd(peerId, id => new ViewerSession(id, worker.Engine, worker.Transport));
        if (session.Worker != worker.Engine)
        {
            throw new InvalidOperationException(
                $"viewer {peerId} is connected on media worker {Array.FindIndex(_workers, w => w.Engine == session.Worker)}; "
                    + $"this station is on worker {worker.Index} (a viewer's stations must share its room's worker)"
            );
        }
        return session;
    }

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
        foreach (var w in _workers)
            w.Dispose();
    }
}
