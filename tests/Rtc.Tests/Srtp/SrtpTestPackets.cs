using System.Buffers.Binary;
using MobZ.Rtc.Srtp;

namespace MobZ.Rtc.Tests.Srtp;

internal static class SrtpTestPackets
{
    public static SrtpKeys Keys(SrtpProfile profile, byte seed = 1)
    {
        var key = new byte[SrtpProfiles.KeyLength(profile)];
        var salt = new byte[SrtpProfiles.SaltLength(profile)];
        for (int i = 0; i < key.Length; i++)
            key[i] = (byte)(seed + i);
        for (int i = 0; i < salt.Length; i++)
            salt[i] = (byte)(seed * 7 + i);
        return new SrtpKeys(profile, key, salt);
    }

    /// <summary>An RTP packet with a one-byte header extension and a patterned payload, plus tailroom.</summary>
    public static byte[] Rtp(
        ushort sequence,
        uint ssrc = 0x11223344,
        int payload = 1200,
        int tailroom = SrtpProfiles.MaxTrailerLength
    )
    {
        var buffer = new byte[12 + 8 + payload + tailroom];
        buffer[0] = 0x90; // V=2, X=1
        buffer[1] = 96;
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4), sequence * 3000u);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(8), ssrc);
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(12), 0xBEDE);
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(14), 1);
        buffer[16] = 0x10;
        buffer[17] = 0x42;
        for (int i = 0; i < payload; i++)
            buffer[20 + i] = (byte)(i * 31 + sequence);
        return buffer;
    }

    public static int RtpLength(byte[] buffer) => buffer.Length - SrtpProfiles.MaxTrailerLength;

    /// <summary>A receiver report with one report block, plus tailroom.</summary>
    public static byte[] Rtcp(uint ssrc = 0x55667788)
    {
        var buffer = new byte[32 + 24];
        buffer[0] = 0x81;
        buffer[1] = 201;
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), 7);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4), ssrc);
        for (int i = 8; i < 32; i++)
            buffer[i] = (byte)i;
        return buffer;
    }

    public const int RtcpLength = 32;

    /// <summary>Protects a packet with a fresh sender and returns just the SRTP bytes.</summary>
    public static byte[] Protect(SrtpContext sender, ushort sequence, uint ssrc = 0x11223344)
    {
        var buffer = Rtp(sequence, ssrc);
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(buffer, RtpLength(buffer), out int length));
        return buffer[..length];
    }
}
