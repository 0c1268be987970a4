namespace MobZ.Munit.Control;

/// <summary>The Munit as its Regulator drives it: stations, media requests, load. Thread-safe.</summary>
public interface IMunit
{
    /// <summary>Stations that exist now.</summary>
    IReadOnlyCollection<string> StationIds { get; }

    bool HasStation(string stationId);

    /// <summary>The station's descriptor, or null when it does not exist here.</summary>
    StationDescriptor? FindStationDescriptor(string stationId);

    /// <returns>false when a station with that id already exists (creating is idempotent).</returns>
    bool CreateStation(StationDescriptor station);

    /// <summary>Closes a station, its publisher and all of its viewers.</summary>
    /// <returns>false when there was no such station.</returns>
    bool CloseStation(string stationId);

    Task<MediaResult> HandleAsync(MediaCommand command, CancellationToken cancellationToken = default);

    MunitLoad GetLoad();

    /// <summary>A station's publisher peer ended by itself (see <see cref="Control.PeerLost"/>); the Regulator tells
    /// signaling.</summary>
    event Action<PeerLost>? PeerLost;
}
