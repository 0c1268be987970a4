namespace MobZ.Munit.Control;

/// <summary>One publisher's station on this Munit: its identity and its media.</summary>
public sealed class Station(StationDescriptor descriptor, IStationMedia media) : IDisposable
{
    public StationDescriptor Descriptor { get; } = descriptor;
    public string Id => Descriptor.StationId;
    public IStationMedia Media { get; } = media;

    public void Dispose() => Media.Dispose();
}
