using MobZ.Hls.Codecs;

namespace MobZ.Hls.Mp4;

/// <summary>
/// The CMAF header: ftyp and a moov with one H.264 track (avc1 + avcC, ISO/IEC 14496-15 §5.4) and one Opus
/// track (Opus + dOps, "Encapsulation of Opus in ISO Base Media File Format" §4), no samples (they all live
/// in fragments), and mvex/trex so players know the file is fragmented.
/// </summary>
internal static class InitSegmentWriter
{
    /// <summary>Opus in WebRTC is always signalled as two channels (RFC 7587 §7).</summary>
    public const int OpusChannels = 2;

    public static int GetMaxSize(int spsLength, int ppsLength) => 1024 + spsLength + ppsLength;

    public static int Write(Span<byte> destination, ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps, in H264Sps parsed)
    {
        var w = new BoxWriter(destination);

        int ftyp = w.StartBox("ftyp"u8);
        w.WriteBytes("iso6"u8);
        w.WriteUInt32(0);
        w.WriteBytes("iso6"u8);
        w.WriteBytes("cmfc"u8);
        w.WriteBytes("isom"u8);
        w.WriteBytes("mp41"u8);
        w.EndBox(ftyp);

        int moov = w.StartBox("moov"u8);
        WriteMvhd(ref w);
        WriteVideoTrak(ref w, sps, pps, parsed);
        WriteAudioTrak(ref w);

        int mvex = w.StartBox("mvex"u8);
        WriteTrex(ref w, TrackIds.Video);
        WriteTrex(ref w, TrackIds.Audio);
        w.EndBox(mvex);
        w.EndBox(moov);
        return w.Position;
    }

    private static void WriteMvhd(ref BoxWriter w)
    {
        int mvhd = w.StartFullBox("mvhd"u8, 0, 0);
        w.WriteUInt32(0); // creation_time
        w.WriteUInt32(0); // modification_time
        w.WriteUInt32(1000); // timescale
        w.WriteUInt32(0); // duration: unknown, it is live
        w.WriteUInt32(0x00010000); // rate 1.0
        w.WriteUInt16(0x0100); // volume 1.0
        w.WriteZeros(10);
        w.WriteUnityMatrix();
        w.WriteZeros(24); // pre_defined
        w.WriteUInt32(TrackIds.Audio + 1); // next_track_ID
        w.EndBox(mvhd);
    }

    private static void WriteTkhd(ref BoxWriter w, uint trackId, bool audio, int width, int height)
    {
        int tkhd = w.StartFullBox("tkhd"u8, 0, 0x000003); // enabled, in movie
        w.WriteUInt32(0);
        w.WriteUInt32(0);
        w.WriteUInt32(trackId);
        w.WriteUInt32(0); // reserved
        w.WriteUInt32(0); // duration
        w.WriteZeros(8);
        w.WriteUInt16(0); // layer
        w.WriteUInt16(0); // alternate_group
        w.WriteUInt16(audio ? (ushort)0x0100 : (ushort)0);
        w.WriteUInt16(0);
        w.WriteUnityMatrix();
        w.WriteUInt32((uint)width << 16);
        w.WriteUInt32((uint)height << 16);
        w.EndBox(tkhd);
    }

    private static void WriteMdhdHdlr(
        ref BoxWriter w,
        int timescale,
        ReadOnlySpan<byte> handler,
        ReadOnlySpan<byte> name
    )
    {
        int mdhd = w.StartFullBox("mdhd"u8, 0, 0);
        w.WriteUInt32(0);
        w.WriteUInt32(0);
        w.WriteUInt32((uint)timescale);
        w.WriteUInt32(0);
        w.WriteUInt16(0x55C4); // "und", packed ISO-639-2/T
        w.WriteUInt16(0);
        w.EndBox(mdhd);

        int hdlr = w.StartFullBox("hdlr"u8, 0, 0);
        w.WriteUInt32(0);
        w.WriteBytes(handler);
        w.WriteZeros(12);
        w.WriteBytes(name);
        w.WriteUInt8(0);
        w.EndBox(hdlr);
    }

    private static void WriteDinf(ref BoxWriter w)
    {
        int dinf = w.StartBox("dinf"u8);
        int dref = w.StartFullBox("dref"u8, 0, 0);
        w.WriteUInt32(1);
        int url = w.StartFullBox("url "u8, 0, 0x000001); // media is in this file
        w.EndBox(url);
        w.EndBox(dref);
        w.EndBox(dinf);
    }

    /// <summary>Empty sample tables: every sample is described by a fragment.</summary>
    private static void WriteEmptySampleTables(ref BoxWriter w)
    {
        int stts = w.StartFullBox("stts"u8, 0, 0);
        w.WriteUInt32(0);
        w.EndBox(stts);
        int stsc = w.StartFullBox("stsc"u8, 0, 0);
        w.WriteUInt32(0);
        w.EndBox(stsc);
        int stsz = w.StartFullBox("stsz"u8, 0, 0);
        w.WriteUInt32(0);
        w.WriteUInt32(0);
        w.EndBox(stsz);
        int stco = w.StartFullBox("stco"u8, 0, 0);
        w.WriteUInt32(0);
        w.EndBox(stco);
    }

    private static void WriteVideoTrak(
        ref BoxWriter w,
        ReadOnlySpan<byte> sps,
        ReadOnlySpan<byte> pps,
        in H264Sps parsed
    )
    {
        int trak = w.StartBox("trak"u8);
        WriteTkhd(ref w, TrackIds.Video, audio: false, parsed.Width, parsed.Height);
        int mdia = w.StartBox("mdia"u8);
        WriteMdhdHdlr(ref w, TrackIds.VideoTimescale, "vide"u8, "VideoHandler"u8);
        int minf = w.StartBox("minf"u8);
        int vmhd = w.StartFullBox("vmhd"u8, 0, 0x000001);
        w.WriteZeros(8); // graphicsmode, opcolor
        w.EndBox(vmhd);
        WriteDinf(ref w);
        int stbl = w.StartBox("stbl"u8);
        int stsd = w.StartFullBox("stsd"u8, 0, 0);
        w.WriteUInt32(1);

        int avc1 = w.StartBox("avc1"u8);
        w.WriteZeros(6);
        w.WriteUInt16(1); // data_reference_index
        w.WriteZeros(16); // pre_defined, reserved
        w.WriteUInt16((ushort)parsed.Width);
        w.WriteUInt16((ushort)parsed.Height);
        w.WriteUInt32(0x00480000); // 72 dpi
        w.WriteUInt32(0x00480000);
        w.WriteUInt32(0);
        w.WriteUInt16(1); // frame_count
        w.WriteZeros(32); // compressorname
        w.WriteUInt16(0x0018); // depth
        w.WriteInt16(-1);

        int avcC = w.StartBox("avcC"u8);
        w.WriteUInt8(1); // configurationVersion
        w.WriteUInt8(parsed.ProfileIdc);
        w.WriteUInt8(parsed.ConstraintFlags);
        w.WriteUInt8(parsed.LevelIdc);
        w.WriteUInt8(0xFF); // lengthSizeMinusOne = 3
        w.WriteUInt8(0xE1); // one SPS
        w.WriteUInt16((ushort)sps.Length);
        w.WriteBytes(sps);
        w.WriteUInt8(1); // one PPS
        w.WriteUInt16((ushort)pps.Length);
        w.WriteBytes(pps);
        if (H264Sps.HasChromaInfo(parsed.ProfileIdc))
        {
            w.WriteUInt8((byte)(0xFC | parsed.ChromaFormatIdc));
            w.WriteUInt8((byte)(0xF8 | parsed.BitDepthLumaMinus8));
            w.WriteUInt8((byte)(0xF8 | parsed.BitDepthChromaMinus8));
            w.WriteUInt8(0); // numOfSequenceParameterSetExt
        }

        w.EndBox(avcC);
        w.EndBox(avc1);
        w.EndBox(stsd);
        WriteEmptySampleTables(ref w);
        w.EndBox(stbl);
        w.EndBox(minf);
        w.EndBox(mdia);
        w.EndBox(trak);
    }

    private static void WriteAudioTrak(ref BoxWriter w)
    {
        int trak = w.StartBox("trak"u8);
        WriteTkhd(ref w, TrackIds.Audio, audio: true, 0, 0);
        int mdia = w.StartBox("mdia"u8);
        WriteMdhdHdlr(ref w, TrackIds.AudioTimescale, "soun"u8, "SoundHandler"u8);
        int minf = w.StartBox("minf"u8);
        int smhd = w.StartFullBox("smhd"u8, 0, 0);
        w.WriteUInt32(0); // balance, reserved
        w.EndBox(smhd);
        WriteDinf(ref w);
        int stbl = w.StartBox("stbl"u8);
        int stsd = w.StartFullBox("stsd"u8, 0, 0);
        w.WriteUInt32(1);

        int opus = w.StartBox("Opus"u8);
        w.WriteZeros(6);
        w.WriteUInt16(1); // data_reference_index
        w.WriteZeros(8);
        w.WriteUInt16(OpusChannels);
        w.WriteUInt16(16); // samplesize
        w.WriteUInt32(0); // pre_defined, reserved
        w.WriteUInt32((uint)TrackIds.AudioTimescale << 16);

        int dops = w.StartBox("dOps"u8);
        w.WriteUInt8(0); // Version
        w.WriteUInt8(OpusChannels);
        w.WriteUInt16(0); // PreSkip: a live RTP stream has no encoder delay to trim
        w.WriteUInt32(OpusPacket.SampleRate); // InputSampleRate
        w.WriteInt16(0); // OutputGain
        w.WriteUInt8(0); // ChannelMappingFamily: mono/stereo
        w.EndBox(dops);
        w.EndBox(opus);
        w.EndBox(stsd);
        WriteEmptySampleTables(ref w);
        w.EndBox(stbl);
        w.EndBox(minf);
        w.EndBox(mdia);
        w.EndBox(trak);
    }

    private static void WriteTrex(ref BoxWriter w, uint trackId)
    {
        int trex = w.StartFullBox("trex"u8, 0, 0);
        w.WriteUInt32(trackId);
        w.WriteUInt32(1); // default_sample_description_index
        w.WriteUInt32(0);
        w.WriteUInt32(0);
        w.WriteUInt32(0);
        w.EndBox(trex);
    }
}
