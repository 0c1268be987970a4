using MobZ.Munit.Routing;
using MobZ.Rtc.Rtcp;

namespace MobZ.Munit.Tap;

/// <summary>
/// Makes a tap look like a viewer's transport: the forwarder "sends" it rewritten plaintext RTP, and the
/// reporter's sender reports are read back into <see cref="IStationTap.OnSenderReport"/>; for one simulcast layer
/// (<paramref name="layer"/> ≥ 0) into <see cref="IStationTap.OnLayerRtp"/> and its sender reports.
/// </summary>
internal sealed class TapOutput(IStationTap tap, TapTrack track, int layer = -1) : IPeerOutput
{
    public void SendRtp(Span<byte> buffer, int length)
    {
        if (layer >= 0)
            tap.OnLayerRtp(layer, buffer[..length]);
        else
            tap.OnRtp(track, buffer[..length]);
    }

    public void SendRtcp(Span<byte> buffer, int length)
    {
        foreach (var packet in new RtcpCompoundEnumerator(buffer[..length]))
        {
            if (packet.PacketType == RtcpPacketType.SenderReport && SenderReport.TryRead(packet.Span, out var sr))
            {
                if (layer >= 0)
                    tap.OnLayerSenderReport(layer, sr.NtpTimestamp, sr.RtpTimestamp);
                else
                    tap.OnSenderReport(track, sr.NtpTimestamp, sr.RtpTimestamp);
            }
        }
    }
}
