namespace MobZ.Munit;

internal static class AssemblyMarker;
