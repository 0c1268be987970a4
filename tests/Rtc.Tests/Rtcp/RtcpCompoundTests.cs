using MobZ.Rtc.Rtcp;

namespace MobZ.Rtc.Tests.Rtcp;

public class RtcpCompoundTests
{
    private static byte[] Compound()
    {
        var buffer = new byte[200];
        int offset = 0;
        new ReceiverReportWriter { Ssrc = 1, ReportBlocks = new[] { new ReportBlock(2, 0, 0, 100, 0, 0, 0) } }.TryWrite(
            buffer.AsSpan(offset),
            out int n
        );
        offset += n;
        new SourceDescriptionWriter { Ssrc = 1, Cname = "abc"u8 }.TryWrite(buffer.AsSpan(offset), out n);
        offset += n;
        new PictureLossIndication(1, 2).TryWrite(buffer.AsSpan(offset), out n);
        offset += n;
        new GenericNackWriter
        {
            SenderSsrc = 1,
            MediaSsrc = 2,
            LostSequenceNumbers = new ushort[] { 5, 6 },
        }.TryWrite(buffer.AsSpan(offset), out n);
        offset += n;
        return buffer[..offset];
    }

    [Fact]
    public void Every_packet_of_a_compound_is_visited_in_order()
    {
        var types = new List<(byte, byte)>();
        var packets = new RtcpCompoundEnumerator(Compound());
        foreach (RtcpPacket packet in packets)
        {
            types.Add((packet.PacketType, packet.Count));
        }

        Assert.False(packets.IsMalformed);
        Assert.Equal(
            new[] { ((byte)201, (byte)1), ((byte)202, (byte)1), ((byte)206, (byte)1), ((byte)205, (byte)1) },
            types
        );
    }

    [Fact]
    public void Typed_readers_accept_the_span_the_enumerator_yields()
    {
        int nacks = 0;
        foreach (RtcpPacket packet in new RtcpCompoundEnumerator(Compound()))
        {
            if (GenericNack.TryRead(packet.Span, out GenericNack nack))
            {
                nacks++;
                Assert.Equal(2u, nack.MediaSsrc);
            }
        }

        Assert.Equal(1, nacks);
    }

    [Fact]
    public void A_truncated_last_packet_is_flagged_and_earlier_packets_are_kept()
    {
        byte[] compound = Compound();
        var packets = new RtcpCompoundEnumerator(compound.AsSpan(0, compound.Length - 2));
        int count = 0;
        while (packets.MoveNext())
        {
            count++;
        }

        Assert.Equal(3, count);
        Assert.True(packets.IsMalformed);
        Assert.False(RtcpCompoundEnumerator.IsWellFormed(compound.AsSpan(0, compound.Length - 2)));
        Assert.True(RtcpCompoundEnumerator.IsWellFormed(compound));
    }

    [Fact]
    public void Padding_is_removed_from_the_body()
    {
        // RR with no blocks and 4 bytes of padding (P=1, last byte = 4).
        byte[] packet = Convert.FromHexString("A0C900020000000100000004");
        Assert.True(RtcpPacket.TryRead(packet, out RtcpPacket rtcp));
        Assert.Equal(4, rtcp.Body.Length);
        Assert.True(ReceiverReport.TryRead(packet, out ReceiverReport rr));
        Assert.Equal(1u, rr.Ssrc);
    }

    [Theory]
    [InlineData("A0C9000100000100", "padding count 0")]
    [InlineData("A0C9000100000009", "padding larger than body")]
    [InlineData("00C9000100000001", "version 0")]
    public void Malformed_headers_are_rejected(string hex, string because)
    {
        Assert.False(RtcpPacket.TryRead(Convert.FromHexString(hex)[..8], out _), because);
    }
}
