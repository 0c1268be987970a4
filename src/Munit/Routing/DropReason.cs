namespace MobZ.Munit.Routing;

/// <summary>Why an incoming packet went no further (counted per station; every drop has a name).</summary>
public enum DropReason
{
    Malformed,
    UnknownSsrc,
    PaddingOnly,
    RtxWithoutOriginal,
    Oversized,
}
