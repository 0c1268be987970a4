using MobZ.Munit.Workers;

namespace MobZ.Munit.Control;

/// <summary>How busy a Munit is, for the Regulator's registration and for placement.</summary>
public readonly record struct MunitLoad(
    int Stations,
    int Publishers,
    int Subscribers,
    long IncomingBitsPerSecond,
    long OutgoingBitsPerSecond,
    double CpuFraction
)
{
    /// <summary>Each media worker's share (empty when the media does not run on workers).</summary>
    public IReadOnlyList<WorkerLoad> Workers { get; init; } = [];
}
