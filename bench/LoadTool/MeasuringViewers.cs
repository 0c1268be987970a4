using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using MobZ.Rtc.Rtp;
using MobZ.Rtc.Sdp;
using MobZ.Rtc.Transport;

namespace MobZ.LoadTool;

/// <summary>
/// What the WebRTC viewers receive, already decrypted and authenticated by their <see cref="RtcClientPeer"/>:
/// latency from the send time the publisher put in each payload, loss from gaps in each stream's (rewritten,
/// continuous) sequence numbers. Retransmissions (rtx) are not counted as media.
/// </summary>
internal sealed class MeasuringViewers : IRtcClientHandler
{
    private readonly ConcurrentDictionary<RtcClientPeer, Viewer> _viewers = new();
    private readonly ConcurrentDictionary<int, bool> _rtxPayloadTypes = new();
    private volatile bool _measuring;

    private sealed class Viewer
    {
        public Dictionary<uint, (ushort First, ushort Last, long Count)> Streams { get; } = [];
    }

    public LatencyHistogram Latency { get; } = new();

    public bool Measuring
    {
        get => _measuring;
        set => _measuring = value;
    }

    public long Received => Sum(s => s.Count);

    /// <summary>Media packets <paramref name="peer"/> received while measuring.</summary>
    public long ReceivedBy(RtcClientPeer peer)
    {
        if (!_viewers.TryGetValue(peer, out var viewer))
            return 0;
        lock (viewer)
            return viewer.Streams.Values.Sum(s => s.Count);
    }

    public long Expected => Sum(s => (long)(ushort)(s.Last - s.First) + 1);

    /// <summary>Notes the retransmission payload types of a Munit offer.</summary>
    public void Learn(SessionDescription offer)
    {
        foreach (var codec in offer.Media.SelectMany(m => m.Codecs).Where(c => c.IsRtx))
            _rtxPayloadTypes[codec.PayloadType] = true;
    }

    public void OnRtp(RtcClientPeer peer, Span<byte> packet)
    {
        long now = Stopwatch.GetTimestamp();
        if (!_measuring || !RtpPacket.TryRead(packet, out var rtp) || _rtxPayloadTypes.ContainsKey(rtp.PayloadType))
            return;
        var viewer = _viewers.GetOrAdd(peer, _ => new Viewer());
        lock (viewer)
        {
            ushort seq = rtp.SequenceNumber;
            viewer.Streams[rtp.Ssrc] = viewer.Streams.TryGetValue(rtp.Ssrc, out var s)
                ? (s.First, SequenceNumbers.IsNewer(seq, s.Last) ? seq : s.Last, s.Count + 1)
                : (seq, seq, 1);
        }
        if (rtp.Payload.Length >= 10)
        {
            long sent = BinaryPrimitives.ReadInt64BigEndian(rtp.Payload[2..]);
            Latency.Add(Stopwatch.GetElapsedTime(sent, now).TotalMicroseconds);
        }
    }

    public void OnRtcp(RtcClientPeer peer, Span<byte> packet)
    {
        // Sender reports from the Munit are not part of the measurement.
    }

    public void OnStateChanged(RtcClientPeer peer, RtcPeerState state) { }

    private long Sum(Func<(ushort First, ushort Last, long Count), long> of)
    {
        long total = 0;
        foreach (var viewer in _viewers.Values)
        {
            lock (viewer)
                total += viewer.Streams.Values.Sum(of);
        }
        return total;
    }
}
