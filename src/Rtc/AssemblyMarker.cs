namespace MobZ.Rtc;

internal static class AssemblyMarker;
