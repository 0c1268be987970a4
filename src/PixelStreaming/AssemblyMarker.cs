namespace MobZ.PixelStreaming;

internal static class AssemblyMarker;
