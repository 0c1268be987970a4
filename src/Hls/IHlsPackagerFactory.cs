namespace MobZ.Hls;

/// <summary>
/// Creates the packager of a stream, wired to where its output goes: <c>AddHls</c> (src/Hls.Serving) registers the one
/// that writes to the state store <c>MapHls</c> serves from.
/// </summary>
public interface IHlsPackagerFactory
{
    /// <param name="stream">the playback name (the room id): letters, digits, '-' and '_', at most 128.</param>
    HlsPackager Create(string stream);

    /// <summary>The ladder of a stream: one rendition per simulcast layer (a publisher without simulcast gets one, at
    /// the same URLs as <see cref="Create"/>'s).</summary>
    /// <param name="stream">as for <see cref="Create"/>.</param>
    HlsLadder CreateLadder(string stream);
}
