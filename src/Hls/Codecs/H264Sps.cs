using MobZ.Rtc.Codecs;

namespace MobZ.Hls.Codecs;

/// <summary>
/// What the muxer and the playlists need from a sequence parameter set (ITU-T H.264 §7.3.2.1.1):
/// the profile/level bytes for avcC and the CODECS string, the chroma format for high-profile avcC, and the
/// cropped picture size.
/// </summary>
internal readonly record struct H264Sps(
    byte ProfileIdc,
    byte ConstraintFlags,
    byte LevelIdc,
    uint ChromaFormatIdc,
    uint BitDepthLumaMinus8,
    uint BitDepthChromaMinus8,
    int Width,
    int Height
)
{
    private const int MaxSpsSize = 1024;

    /// <summary>RFC 6381 §3.3 codec string, e.g. avc1.42e01f.</summary>
    public string CodecString => $"avc1.{ProfileIdc:x2}{ConstraintFlags:x2}{LevelIdc:x2}";

    /// <summary>Profiles whose SPS carries chroma format and bit depth (and whose avcC must too).</summary>
    public static bool HasChromaInfo(byte profileIdc) =>
        profileIdc is 100 or 110 or 122 or 244 or 44 or 83 or 86 or 118 or 128 or 138 or 139 or 134 or 135;

    /// <param name="nal">the whole SPS NAL unit including its one-byte header.</param>
    public static bool TryParse(ReadOnlySpan<byte> nal, out H264Sps sps)
    {
        sps = default;
        if (nal.Length < 4 || nal.Length > MaxSpsSize || H264Payload.NalType(nal[0]) != H264NalType.Sps)
        {
            return false;
        }

        Span<byte> rbsp = stackalloc byte[MaxSpsSize];
        int length = RbspBitReader.Unescape(nal[1..], rbsp);
        if (length < 3)
        {
            return false;
        }

        byte profile = rbsp[0];
        byte constraints = rbsp[1];
        byte level = rbsp[2];
        var reader = new RbspBitReader(rbsp[3..length]);
        if (!reader.TryReadUe(out uint spsId) || spsId > 31)
        {
            return false;
        }

        uint chromaFormat = 1;
        uint bitDepthLuma = 0;
        uint bitDepthChroma = 0;
        bool separateColourPlane = false;
        if (HasChromaInfo(profile))
        {
            if (!reader.TryReadUe(out chromaFormat) || chromaFormat > 3)
            {
                return false;
            }

            if (chromaFormat == 3)
            {
                if (!reader.TryReadBit(out uint separate))
                {
                    return false;
                }

                separateColourPlane = separate == 1;
            }

            if (
                !reader.TryReadUe(out bitDepthLuma)
                || bitDepthLuma > 6
                || !reader.TryReadUe(out bitDepthChroma)
                || bitDepthChroma > 6
                || !reader.TryReadBit(out _)
                || !reader.TryReadBit(out uint scalingMatrixPresent)
            )
            {
                return false;
            }

            if (scalingMatrixPresent == 1 && !SkipScalingLists(ref reader, chromaFormat == 3 ? 12 : 8))
            {
                return false;
            }
        }

        if (
            !reader.TryReadUe(out uint log2MaxFrameNumMinus4)
            || log2MaxFrameNumMinus4 > 12
            || !reader.TryReadUe(out uint pocType)
            || pocType > 2
        )
        {
            return false;
        }

        if (pocType == 0)
        {
            if (!reader.TryReadUe(out uint log2MaxPocLsbMinus4) || log2MaxPocLsbMinus4 > 12)
            {
                return false;
            }
        }
        else if (pocType == 1)
        {
            if (
                !reader.TryReadBit(out _)
                || !reader.TryReadSe(out _)
                || !reader.TryReadSe(out _)
                || !reader.TryReadUe(out uint cycle)
                || cycle > 255
            )
            {
                return false;
            }

            for (int i = 0; i < cycle; i++)
            {
                if (!reader.TryReadSe(out _))
                {
                    return false;
                }
            }
        }

        if (
            !reader.TryReadUe(out _)
            || !reader.TryReadBit(out _)
            || !reader.TryReadUe(out uint widthInMbsMinus1)
            || !reader.TryReadUe(out uint heightInMapUnitsMinus1)
            || !reader.TryReadBit(out uint frameMbsOnly)
        )
        {
            return false;
        }

        if (frameMbsOnly == 0 && !reader.TryReadBit(out _))
        {
            return false;
        }

        if (!reader.TryReadBit(out _) || !reader.TryReadBit(out uint cropping))
        {
            return false;
        }

        uint cropLeft = 0,
            cropRight = 0,
            cropTop = 0,
            cropBottom = 0;
        if (
            cropping == 1
            && (
                !reader.TryReadUe(out cropLeft)
                || !reader.TryReadUe(out cropRight)
                || !reader.TryReadUe(out cropTop)
                || !reader.TryReadUe(out cropBottom)
            )
        )
        {
            return false;
        }

        // Table 6-1: SubWidthC / SubHeightC; monochrome and separate planes crop in luma samples.
        uint chromaArrayType = separateColourPlane ? 0 : chromaFormat;
        long cropUnitX = chromaArrayType switch
        {
            1 or 2 => 2,
            _ => 1,
        };
        long cropUnitY = (chromaArrayType == 1 ? 2 : 1) * (2 - frameMbsOnly);
        long width = ((widthInMbsMinus1 + 1L) * 16) - (cropUnitX * (cropLeft + cropRight));
        long height = ((2 - frameMbsOnly) * (heightInMapUnitsMinus1 + 1L) * 16) - (cropUnitY * (cropTop + cropBottom));
        if (width is <= 0 or > 16384 || height is <= 0 or > 16384)
        {
            return false;
        }

        sps = new H264Sps(
            profile,
            constraints,
            level,
            chromaFormat,
            bitDepthLuma,
            bitDepthChroma,
            (int)width,
            (int)height
        );
        return true;
    }

    private static bool SkipScalingLists(ref RbspBitReader reader, int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (!reader.TryReadBit(out uint present))
            {
                return false;
            }

            if (present == 0)
            {
                continue;
            }

            int size = i < 6 ? 16 : 64;
            int lastScale = 8;
            int nextScale = 8;
            for (int j = 0; j < size; j++)
            {
                if (nextScale != 0)
                {
                    if (!reader.TryReadSe(out int delta))
                    {
                        return false;
                    }

                    nextScale = (lastScale + delta + 256) % 256;
                }

                lastScale = nextScale == 0 ? lastScale : nextScale;
            }
        }

        return true;
    }
}
