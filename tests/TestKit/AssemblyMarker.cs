namespace MobZ.TestKit;

internal static class AssemblyMarker;
