using System.Collections.Concurrent;
using MobZ.Rtc.Transport;

namespace MobZ.Rtc.Tests.Transport;

/// <summary>Keeps what a peer delivered; optionally echoes RTP back to the sender.</summary>
internal sealed class RecordingPeerHandler(bool echo = false) : IRtcPeerHandler
{
    public ConcurrentQueue<byte[]> Rtp { get; } = new();
    public ConcurrentQueue<byte[]> Rtcp { get; } = new();
    public ConcurrentQueue<RtcPeerState> States { get; } = new();

    public void OnRtp(RtcPeer peer, Span<byte> packet)
    {
        Rtp.Enqueue(packet.ToArray());
        if (echo)
            peer.SendRtp(packet);
    }

    public void OnRtcp(RtcPeer peer, Span<byte> packet) => Rtcp.Enqueue(packet.ToArray());

    public void OnStateChanged(RtcPeer peer, RtcPeerState state) => States.Enqueue(state);
}
