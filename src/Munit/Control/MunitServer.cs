using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Munit.Workers;

namespace MobZ.Munit.Control;

/// <summary>
/// The Munit: its stations and the media requests addressed to them. Station bookkeeping lives here;
/// media (peers, forwarding) lives in each <see cref="Station"/> and the media engine behind it.
/// </summary>
public sealed class MunitServer : IMunit, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Station> _stations = new(StringComparer.Ordinal);
    private readonly IStationMediaFactory _media;
    private readonly ILogger _logger;
    private readonly CpuMeter _cpu = new();

    public MunitServer(MunitOptions options, IStationMediaFactory media, ILoggerFactory? loggerFactory = null)
    {
        Options = options;
        _media = media;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<MunitServer>();
        if (media is IPeerLossSource losses)
            losses.PeerLost += OnPeerLost;
    }

    private void OnPeerLost(PeerLost lost)
    {
        _logger.LogWarning(
            "Publisher {PeerId} of station {StationId} lost its media: {Reason}",
            lost.PeerId,
            lost.StationId,
            lost.Reason
        );
        PeerLost?.Invoke(lost);
    }

    public MunitOptions Options { get; }
    public string Id => Options.MunitId;

    public IReadOnlyCollection<string> StationIds => _stations.Keys.ToArray();

    public bool HasStation(string stationId) => _stations.ContainsKey(stationId);

    public Station? FindStation(string stationId) => _stations.GetValueOrDefault(stationId);

    public StationDescriptor? FindStationDescriptor(string stationId) => FindStation(stationId)?.Descriptor;

    public event Action<PeerLost>? PeerLost;

    /// <summary>Raised after a station was created or closed (the Regulator refreshes its registration).</summary>
    public event Action? StationsChanged;

    public bool CreateStation(StationDescriptor station)
    {
        ArgumentNullException.ThrowIfNull(station);
        var created = new Station(station, _media.Create(station));
        if (!_stations.TryAdd(station.StationId, created))
        {
            created.Dispose();
            return false;
        }
        using (_logger.BeginScope("Station {StationId} of room {RoomId}", station.StationId, station.RoomId))
        {
            _logger.LogInformation(
                "Station created for publisher {PublisherId} ({RoomKind}, hls {Hls})",
                station.PublisherId,
                station.RoomKind,
                station.Hls
            );
        }
        StationsChanged?.Invoke();
        return true;
    }

    public bool CloseStation(string stationId)
    {
        if (!_stations.TryRemove(stationId, out var station))
            return false;
        station.Dispose();
        _logger.LogInformation("Station {StationId} closed", stationId);
        StationsChanged?.Invoke();
        return true;
    }

    public async Task<MediaResult> HandleAsync(MediaCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!_stations.TryGetValue(command.StationId, out var station))
            return MediaResult.Failure($"no station {command.StationId} on this munit");
        using var scope = _logger.BeginScope("Station {StationId} peer {PeerId}", command.StationId, command.PeerId);
        try
        {
            return await station.Media.HandleAsync(command, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bad SDP or a peer in the wrong state fails this request only, never the station.
            _logger.LogWarning(ex, "Media request {Op} failed", command.Op);
            return MediaResult.Failure(ex.Message);
        }
    }

    public MunitLoad GetLoad()
    {
        int publishers = 0,
            subscribers = 0;
        long bitsIn = 0,
            bitsOut = 0;
        foreach (var station in _stations.Values)
        {
            var stats = station.Media.GetStats();
            if (stats.HasPublisher)
                publishers++;
            subscribers += stats.Subscribers;
            bitsIn += stats.IncomingBitsPerSecond;
            bitsOut += stats.OutgoingBitsPerSecond;
        }
        return new MunitLoad(_stations.Count, publishers, subscribers, bitsIn, bitsOut, _cpu.Sample())
        {
            Workers = _media is IWorkerLoadSource workers ? workers.GetWorkerLoads() : [],
        };
    }

    public ValueTask DisposeAsync()
    {
        foreach (var id in _stations.Keys)
            CloseStation(id);
        return ValueTask.CompletedTask;
    }
}
