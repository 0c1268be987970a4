using MobZ.Munit.Rtp;
using MobZ.Munit.Simulcast;
using MobZ.Rtc.Codecs;

namespace MobZ.Munit.Routing;

/// <summary>
/// One track a publisher sends (audio, or video with up to three simulcast layers), and the consumers that
/// receive it. Outlives the publisher's peer connection: when the publisher comes back (a new publish on
/// the same station) the same producer rebinds, so viewers keep their tracks and continuous numbering.
/// </summary>
public sealed class Producer : ILayerSource
{
    private Consumer[] _consumers = [];

    public Producer(
        string trackId,
        MediaKind kind,
        MediaCodec codec,
        byte payloadType,
        uint clockRate,
        IReadOnlyList<string?> rids,
        IKeyFrameRequester keyFrameRequester
    )
    {
        if (rids.Count is < 1 or > 3)
            throw new ArgumentOutOfRangeException(nameof(rids), "one to three layers");
        TrackId = trackId;
        Kind = kind;
        Codec = codec;
        PayloadType = payloadType;
        ClockRate = clockRate;
        // Audio is not retransmitted (browsers do not NACK Opus); video keeps about a second at 1 Mbps.
        int cache = kind == MediaKind.Video ? 512 : 0;
        Layers = rids.Select((rid, i) => new ProducerLayer(i, rid, clockRate, cache)).ToArray();
        KeyFrames = new KeyFrameRequestManager(keyFrameRequester);
    }

    public string TrackId { get; }
    public MediaKind Kind { get; }
    public MediaCodec Codec { get; set; }
    public byte PayloadType { get; set; }
    public byte RtxPayloadType { get; set; }

    /// <summary>abs-send-time id in this track's packets (0: absent).</summary>
    public int AbsSendTimeId { get; set; }
    public uint ClockRate { get; }
    public ProducerLayer[] Layers { get; }
    public bool IsSimulcast => Layers.Length > 1;
    public KeyFrameRequestManager KeyFrames { get; }

    /// <summary>Snapshot for the packet path; replaced (never mutated) when consumers come and go.</summary>
    public Consumer[] Consumers => Volatile.Read(ref _consumers);

    public int LayerCount => Layers.Length;

    public bool IsActive(int layer, long nowMs) => Layers[layer].IsActive(nowMs);

    public long Bitrate(int layer, long nowMs) => Layers[layer].Recv is { } r ? r.Bitrate.BitsPerSecond(nowMs) : 0;

    /// <summary>Index of the layer bound to <paramref name="ssrc"/>, -1 when none.</summary>
    public int FindLayer(uint ssrc)
    {
        var layers = Layers;
        for (int i = 0; i < layers.Length; i++)
        {
            if (layers[i].Ssrc == ssrc)
                return i;
        }

        return -1;
    }

    /// <summary>Index of the layer whose RTX stream is <paramref name="ssrc"/>, -1 when none.</summary>
    public int FindRtxLayer(uint ssrc)
    {
        var layers = Layers;
        for (int i = 0; i < layers.Length; i++)
        {
            if (layers[i].RtxSsrc == ssrc && ssrc != 0)
                return i;
        }

        return -1;
    }

    /// <summary>Index of the layer with this rid (the RTP stream id header extension's ASCII value), -1 when
    /// none.</summary>
    public int FindRid(ReadOnlySpan<byte> rid)
    {
        for (int i = 0; i < Layers.Length; i++)
        {
            if (Layers[i].Rid is not { } r || r.Length != rid.Length)
                continue;
            int j = 0;
            while (j < r.Length && r[j] == rid[j])
                j++;
            if (j == r.Length)
                return i;
        }
        return -1;
    }

    public void AddConsumer(Consumer consumer)
    {
        Consumer[] current,
            next;
        do
        {
            current = _consumers;
            next = [.. current, consumer];
        } while (Interlocked.CompareExchange(ref _consumers, next, current) != current);
    }

    public void RemoveConsumer(Consumer consumer)
    {
        Consumer[] current,
            next;
        do
        {
            current = _consumers;
            next = current.Where(c => c != consumer).ToArray();
        } while (Interlocked.CompareExchange(ref _consumers, next, current) != current);
    }

    /// <summary>The publisher left or is renegotiating: forget SSRCs; consumers stay and resume on the next
    /// generation.</summary>
    public void UnbindAll()
    {
        foreach (var layer in Layers)
        {
            if (layer.Ssrc != 0)
                KeyFrames.Forget(layer.Ssrc);
            layer.Unbind();
        }
    }
}
