namespace MobZ.Munit.Routing;

public enum MediaKind : byte
{
    Audio,
    Video,
}
