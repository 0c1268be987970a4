namespace MobZ.Hls.Mp4;

/// <summary>One track's share of a fragment: its first decode time, its samples and their bytes in order.</summary>
internal readonly ref struct TrackRun
{
    public readonly uint TrackId;
    public readonly ulong BaseMediaDecodeTime;
    public readonly ReadOnlySpan<MediaSample> Samples;
    public readonly ReadOnlySpan<byte> Data;

    public TrackRun(uint trackId, ulong baseMediaDecodeTime, ReadOnlySpan<MediaSample> samples, ReadOnlySpan<byte> data)
    {
        TrackId = trackId;
        BaseMediaDecodeTime = baseMediaDecodeTime;
        Samples = samples;
        Data = data;
    }
}

/// <summary>
/// Writes one CMAF chunk: moof (mfhd, one traf per track with tfhd default-base-is-moof, tfdt version 1 and
/// a trun) followed by one mdat holding the video samples, then the audio samples (ISO/IEC 14496-12 §8.8).
/// </summary>
internal static class FragmentWriter
{
    private const uint TfhdDefaultBaseIsMoof = 0x020000;
    private const uint TfhdDefaultSampleFlagsPresent = 0x000020;
    private const uint TrunDataOffset = 0x000001;
    private const uint TrunSampleDuration = 0x000100;
    private const uint TrunSampleSize = 0x000200;
    private const uint TrunSampleFlags = 0x000400;
    private const uint TrunCompositionOffsets = 0x000800;

    public static int GetMaxSize(int videoSamples, int audioSamples, int dataLength) =>
        256 + (videoSamples * 16) + (audioSamples * 8) + dataLength;

    /// <param name="video">samples of the video track; may be empty.</param>
    /// <param name="audio">samples of the audio track; may be empty.</param>
    public static int Write(
        Span<byte> destination,
        uint sequenceNumber,
        scoped in TrackRun video,
        scoped in TrackRun audio
    )
    {
        var w = new BoxWriter(destination);
        int moof = w.StartBox("moof"u8);
        int mfhd = w.StartFullBox("mfhd"u8, 0, 0);
        w.WriteUInt32(sequenceNumber);
        w.EndBox(mfhd);

        int videoOffsetField = video.Samples.IsEmpty ? -1 : WriteTraf(ref w, video, isVideo: true);
        int audioOffsetField = audio.Samples.IsEmpty ? -1 : WriteTraf(ref w, audio, isVideo: false);
        w.EndBox(moof);

        // default-base-is-moof: data offsets count from the first byte of this moof.
        int mdatPayload = w.Position - moof + 8;
        if (videoOffsetField >= 0)
        {
            w.PatchUInt32(videoOffsetField, (uint)mdatPayload);
        }

        if (audioOffsetField >= 0)
        {
            w.PatchUInt32(audioOffsetField, (uint)(mdatPayload + (video.Samples.IsEmpty ? 0 : video.Data.Length)));
        }

        int mdat = w.StartBox("mdat"u8);
        if (!video.Samples.IsEmpty)
        {
            w.WriteBytes(video.Data);
        }

        if (!audio.Samples.IsEmpty)
        {
            w.WriteBytes(audio.Data);
        }

        w.EndBox(mdat);
        return w.Position;
    }

    /// <returns>the position of the trun data_offset field, to patch once the moof size is known.</returns>
    private static int WriteTraf(ref BoxWriter w, scoped in TrackRun run, bool isVideo)
    {
        int traf = w.StartBox("traf"u8);
        int tfhd = w.StartFullBox("tfhd"u8, 0, TfhdDefaultBaseIsMoof | (isVideo ? 0 : TfhdDefaultSampleFlagsPresent));
        w.WriteUInt32(run.TrackId);
        if (!isVideo)
        {
            w.WriteUInt32(MediaSample.SyncFlags); // every Opus packet decodes on its own
        }

        w.EndBox(tfhd);

        int tfdt = w.StartFullBox("tfdt"u8, 1, 0);
        w.WriteUInt64(run.BaseMediaDecodeTime);
        w.EndBox(tfdt);

        uint flags = TrunDataOffset | TrunSampleDuration | TrunSampleSize;
        if (isVideo)
        {
            flags |= TrunSampleFlags | TrunCompositionOffsets;
        }

        // Version 1: signed composition offsets (WebRTC H.264 has no B-frames, so they are all 0).
        int trun = w.StartFullBox("trun"u8, isVideo ? (byte)1 : (byte)0, flags);
        w.WriteUInt32((uint)run.Samples.Length);
        int offsetField = w.Position;
        w.WriteUInt32(0);
        foreach (ref readonly MediaSample sample in run.Samples)
        {
            w.WriteUInt32(sample.Duration);
            w.WriteUInt32((uint)sample.Size);
            if (isVideo)
            {
                w.WriteUInt32(sample.Flags);
                w.WriteInt32(sample.CompositionOffset);
            }
        }

        w.EndBox(trun);
        w.EndBox(traf);
        return offsetField;
    }
}
