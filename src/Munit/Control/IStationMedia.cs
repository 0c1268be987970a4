namespace MobZ.Munit.Control;

/// <summary>The media side of a station: its publisher, its viewers, the forwarding between them.</summary>
public interface IStationMedia : IDisposable
{
    Task<MediaResult> HandleAsync(MediaCommand command, CancellationToken cancellationToken);
    StationStats GetStats();
}

/// <summary>Builds the media of a new station (the WebRTC engine in production; others in tests).</summary>
public interface IStationMediaFactory
{
    IStationMedia Create(StationDescriptor station);
}
