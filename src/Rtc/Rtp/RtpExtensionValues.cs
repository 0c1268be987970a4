using System.Buffers.Binary;

namespace MobZ.Rtc.Rtp;

/// <summary>Encodings of the header extension values WebRTC negotiates by URI.</summary>
public static class RtpExtensionValues
{
    public const string AbsSendTimeUri = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
    public const string TransportWideCcUri =
        "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    public const string AudioLevelUri = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    public const string MidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";
    public const string RidUri = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    public const string RepairedRidUri = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
    public const string TimeOffsetUri = "urn:ietf:params:rtp-hdrext:toffset";
    public const string VideoOrientationUri = "urn:3gpp:video-orientation";
    public const string PlayoutDelayUri = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";

    public const int AbsSendTimeSize = 3;
    public const int TransportSequenceSize = 2;

    /// <summary>abs-send-time is 6.18 fixed-point seconds, 24 bits (wraps every 64 s).</summary>
    public static uint ReadAbsSendTime(ReadOnlySpan<byte> value) =>
        value.Length < 3 ? 0u : (uint)((value[0] << 16) | (value[1] << 8) | value[2]);

    public static bool TryWriteAbsSendTime(Span<byte> value, uint absSendTime24)
    {
        if (value.Length < 3)
        {
            return false;
        }

        value[0] = (byte)(absSendTime24 >> 16);
        value[1] = (byte)(absSendTime24 >> 8);
        value[2] = (byte)absSendTime24;
        return true;
    }

    /// <summary>Converts a time in microseconds to the 24-bit 6.18 abs-send-time value.</summary>
    public static uint AbsSendTimeFromMicroseconds(long microseconds) =>
        (uint)(((microseconds << 18) + 500_000) / 1_000_000) & 0x00FF_FFFF;

    public static bool TryReadTransportSequence(ReadOnlySpan<byte> value, out ushort sequence)
    {
        if (value.Length < 2)
        {
            sequence = 0;
            return false;
        }

        sequence = BinaryPrimitives.ReadUInt16BigEndian(value);
        return true;
    }

    public static bool TryWriteTransportSequence(Span<byte> value, ushort sequence) =>
        BinaryPrimitives.TryWriteUInt16BigEndian(value, sequence);

    /// <summary>RFC 6464: V flag (voice activity) and level in -dBov (0 loudest, 127 silence).</summary>
    public static bool TryReadAudioLevel(ReadOnlySpan<byte> value, out bool voiceActivity, out byte level)
    {
        if (value.IsEmpty)
        {
            voiceActivity = false;
            level = 127;
            return false;
        }

        voiceActivity = (value[0] & 0x80) != 0;
        level = (byte)(value[0] & 0x7F);
        return true;
    }
}
