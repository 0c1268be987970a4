namespace MobZ.Hls.Mp4;

/// <summary>One sample of a fragment: where its bytes are in the track's data buffer and its trun fields.</summary>
internal readonly record struct MediaSample(int Offset, int Size, uint Duration, bool IsSync, int CompositionOffset = 0)
{
    /// <summary>trun sample_flags (§8.8.3.1): sample_depends_on=2 (an I-frame).</summary>
    public const uint SyncFlags = 0x02000000;

    /// <summary>sample_depends_on=1 and sample_is_non_sync_sample=1.</summary>
    public const uint NonSyncFlags = 0x01010000;

    public uint Flags => IsSync ? SyncFlags : NonSyncFlags;
}
