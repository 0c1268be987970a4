namespace MobZ.Signaling;

internal static class AssemblyMarker;
