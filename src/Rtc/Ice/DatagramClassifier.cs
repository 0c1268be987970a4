namespace MobZ.Rtc.Ice;

/// <summary>What a datagram on a shared WebRTC port is (RFC 7983 §7, RFC 5761 §4).</summary>
public enum DatagramKind
{
    Unknown,
    Stun,
    Dtls,
    Rtp,
    Rtcp,
}

/// <summary>
/// Demultiplexes one UDP port by the first byte: 0-3 STUN, 20-63 DTLS, 128-191 RTP or RTCP; among those,
/// a second byte of 192-223 (payload type 64-95 with the marker bit set) is RTCP under rtcp-mux.
/// ZRTP (16-19) and TURN channels (64-79) are not used by us and classify as <see cref="DatagramKind.Unknown"/>.
/// </summary>
public static class DatagramClassifier
{
    public static DatagramKind Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
        {
            return DatagramKind.Unknown;
        }

        byte first = datagram[0];
        if (first <= 3)
        {
            return datagram.Length >= 20 ? DatagramKind.Stun : DatagramKind.Unknown;
        }

        if (first is >= 20 and <= 63)
        {
            return datagram.Length >= 13 ? DatagramKind.Dtls : DatagramKind.Unknown;
        }

        if (first is >= 128 and <= 191)
        {
            if (datagram.Length < 4)
            {
                return DatagramKind.Unknown;
            }

            if (datagram[1] is >= 192 and <= 223)
            {
                return datagram.Length >= 8 ? DatagramKind.Rtcp : DatagramKind.Unknown;
            }

            return datagram.Length >= 12 ? DatagramKind.Rtp : DatagramKind.Unknown;
        }

        return DatagramKind.Unknown;
    }
}
