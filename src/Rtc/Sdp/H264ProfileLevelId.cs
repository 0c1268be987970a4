using System.Globalization;

namespace MobZ.Rtc.Sdp;

public enum H264Profile
{
    ConstrainedBaseline,
    Baseline,
    Main,
    ConstrainedHigh,
    High,
    PredictiveHigh444,
}

/// <summary>
/// The H.264 profile-level-id fmtp parameter (RFC 6184 §8.1): profile_idc, profile-iop constraint flags and
/// level_idc as 6 hex digits. Two H.264 formats are interchangeable when their profiles match (levels may differ with
/// level-asymmetry-allowed), the rule libwebrtc applies when it matches codecs.
/// </summary>
public readonly record struct H264ProfileLevelId(H264Profile Profile, byte Level)
{
    /// <summary>Level 1b is signalled with level_idc 11 plus constraint_set3; kept as 0 like libwebrtc.</summary>
    public const byte Level1b = 0;

    /// <summary>What an H.264 format without profile-level-id means to libwebrtc: constrained baseline 3.1.</summary>
    public static readonly H264ProfileLevelId Default = new(H264Profile.ConstrainedBaseline, 31);

    // (profile_idc, mask of significant profile-iop bits, their required values) per RFC 6184 Table 5.
    private static readonly (byte Idc, byte Mask, byte Value, H264Profile Profile)[] Patterns =
    [
        (0x42, 0x4F, 0x40, H264Profile.ConstrainedBaseline),
        (0x4D, 0x8F, 0x80, H264Profile.ConstrainedBaseline),
        (0x58, 0xCF, 0xC0, H264Profile.ConstrainedBaseline),
        (0x42, 0x4F, 0x00, H264Profile.Baseline),
        (0x58, 0xCF, 0x80, H264Profile.Baseline),
        (0x4D, 0xAF, 0x00, H264Profile.Main),
        (0x64, 0xFF, 0x00, H264Profile.High),
        (0x64, 0xFF, 0x0C, H264Profile.ConstrainedHigh),
        (0xF4, 0xFF, 0x00, H264Profile.PredictiveHigh444),
    ];

    public static bool TryParse(string? text, out H264ProfileLevelId value)
    {
        value = default;
        if (
            text is null
            || text.Length != 6
            || !uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint raw)
        )
        {
            return false;
        }

        byte idc = (byte)(raw >> 16);
        byte iop = (byte)(raw >> 8);
        byte level = (byte)raw;
        if (level == 11 && (iop & 0x10) != 0 && idc is 0x42 or 0x4D or 0x58)
        {
            level = Level1b;
        }

        foreach ((byte Idc, byte Mask, byte Value, H264Profile Profile) pattern in Patterns)
        {
            if (pattern.Idc == idc && (iop & pattern.Mask) == pattern.Value)
            {
                value = new H264ProfileLevelId(pattern.Profile, level);
                return true;
            }
        }

        return false;
    }

    /// <summary>The codec's profile-level-id, the default when absent; false when present but unparseable.</summary>
    public static bool TryFromCodec(SdpCodec codec, out H264ProfileLevelId value)
    {
        if (!codec.TryGetParameter("profile-level-id", out string? text))
        {
            value = Default;
            return true;
        }

        return TryParse(text, out value);
    }

    public override string ToString()
    {
        (byte idc, byte iop) = Profile switch
        {
            H264Profile.ConstrainedBaseline => ((byte)0x42, (byte)0xE0),
            H264Profile.Baseline => ((byte)0x42, (byte)0x00),
            H264Profile.Main => ((byte)0x4D, (byte)0x00),
            H264Profile.ConstrainedHigh => ((byte)0x64, (byte)0x0C),
            H264Profile.High => ((byte)0x64, (byte)0x00),
            _ => ((byte)0xF4, (byte)0x00),
        };
        byte level = Level;
        if (level == Level1b)
        {
            level = 11;
            iop |= 0x10;
        }

        return $"{idc:x2}{iop:x2}{level:x2}";
    }
}
