namespace MobZ.Aws;

internal static class AssemblyMarker;
