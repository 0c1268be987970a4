namespace MobZ.Regulator;

internal static class AssemblyMarker;
