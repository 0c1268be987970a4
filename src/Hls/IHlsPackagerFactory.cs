namespace MobZ.Hls;

/// <summary>
/// Creates the packager of a stream, wired to where its output goes: <c>AddHls</c> (src/Hls.Serving) registers the one
/// that writes to the state store <c>MapHls</c> serves from.
/// </summary>
public interface IHlsPackagerFactory
{
    /// <param name="stream">the playback name (the room id): letters, digits, '-' and '_', at most 128.</param>
    HlsPackager Create(string stream);
}
