namespace MobZ.Hls.Mp4;

/// <summary>The two tracks of the muxed rendition and their timescales.</summary>
internal static class TrackIds
{
    public const uint Video = 1;
    public const uint Audio = 2;
    public const int VideoTimescale = 90000;
    public const int AudioTimescale = 48000;
}
