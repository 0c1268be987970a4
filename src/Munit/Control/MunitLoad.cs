namespace MobZ.Munit.Control;

/// <summary>How busy a Munit is, for the Regulator's registration and for placement.</summary>
public readonly record struct MunitLoad(
    int Stations,
    int Publishers,
    int Subscribers,
    long IncomingBitsPerSecond,
    long OutgoingBitsPerSecond,
    double CpuFraction
);
