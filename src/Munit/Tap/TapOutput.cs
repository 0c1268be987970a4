using MobZ.Munit.Routing;
using MobZ.Rtc.Rtcp;

namespace MobZ.Munit.Tap;

/// <summary>
/// Makes a tap look like a viewer's transport: the forwarder "sends" it rewritten plaintext RTP, and the
/// reporter's sender reports are read back into <see cref="IStationTap.OnSenderReport"/>.
/// </summary>
internal sealed class TapOutput(IStationTap tap, TapTrack track) : IPeerOutput
{
    public void SendRtp(Span<byte> buffer, int length) => tap.OnRtp(track, buffer[..length]);

    public void SendRtcp(Span<byte> buffer, int length)
    {
        foreach (var packet in new RtcpCompoundEnumerator(buffer[..length]))
        {
            if (packet.PacketType == RtcpPacketType.SenderReport && SenderReport.TryRead(packet.Span, out var sr))
                tap.OnSenderReport(track, sr.NtpTimestamp, sr.RtpTimestamp);
        }
    }
}
