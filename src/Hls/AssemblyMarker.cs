namespace MobZ.Hls;

internal static class AssemblyMarker;
