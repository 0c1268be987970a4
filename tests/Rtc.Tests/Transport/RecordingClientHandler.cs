using System.Collections.Concurrent;
using MobZ.Rtc.Transport;

namespace MobZ.Rtc.Tests.Transport;

/// <summary>Records what a <see cref="RtcClientPeer"/> delivers.</summary>
internal sealed class RecordingClientHandler : IRtcClientHandler
{
    public ConcurrentQueue<byte[]> Rtp { get; } = new();
    public ConcurrentQueue<byte[]> Rtcp { get; } = new();
    public ConcurrentQueue<RtcPeerState> States { get; } = new();

    public void OnRtp(RtcClientPeer peer, Span<byte> packet) => Rtp.Enqueue(packet.ToArray());

    public void OnRtcp(RtcClientPeer peer, Span<byte> packet) => Rtcp.Enqueue(packet.ToArray());

    public void OnStateChanged(RtcClientPeer peer, RtcPeerState state) => States.Enqueue(state);
}
