namespace MobZ.Munit.Routing;

/// <summary>
/// One viewer's peer connection on this Munit. It may carry tracks of several stations (Janus multistream),
/// each a <see cref="Consumer"/>; its bandwidth estimate (REMB) is shared among its video consumers.
/// </summary>
public sealed class Subscriber(string peerId, IPeerOutput output)
{
    /// <summary>What an audio track is assumed to need when the estimate is split.</summary>
    public const long AudioReserveBps = 64_000;

    private Consumer[] _consumers = [];

    public string PeerId { get; } = peerId;

    /// <summary>
    /// False until the viewer's transport can deliver (DTLS done). Packets are not even considered before: a
    /// key frame forwarded into a connection that is not up yet would be lost, and the viewer would then wait
    /// for the next one (some receivers never ask).
    /// </summary>
    public bool Ready
    {
        get => Volatile.Read(ref _ready);
        set
        {
            if (Volatile.Read(ref _ready) == value) return;
            Volatile.Write(ref _ready, value);
            if (value) foreach (var c in Consumers) c.RequireSync();
        }
    }

    private bool _ready = true;
    public IPeerOutput Output { get; set; } = output;
    public Consumer[] Consumers => Volatile.Read(ref _consumers);
    public long BandwidthBps { get; private set; }
    public long RembReceived { get; set; }
    /// <summary>SSRC the Munit uses as sender of RTCP toward this viewer.</summary>
    public uint RtcpSsrc { get; } = (uint)Random.Shared.NextInt64(1, uint.MaxValue);

    public void Add(Consumer consumer) => Volatile.Write(ref _consumers, [.. _consumers, consumer]);

    public void Remove(Consumer consumer) => Volatile.Write(ref _consumers, _consumers.Where(c => c != consumer).ToArray());

    public Consumer? FindBySsrc(uint ssrc)
    {
        foreach (var c in Consumers)
            if (c.Ssrc == ssrc || c.RtxSsrc == ssrc && ssrc != 0) return c;
        return null;
    }

    /// <summary>Splits the viewer's estimate: audio first, the rest evenly over its video tracks.</summary>
    public void SetBandwidth(long bps)
    {
        BandwidthBps = bps;
        var consumers = Consumers;
        int video = 0, audio = 0;
        foreach (var c in consumers)
        {
            if (c.Producer.Kind == MediaKind.Video) video++;
            else audio++;
        }
        if (video == 0) return;
        long share = Math.Max(1, (bps - audio * AudioReserveBps) / video);
        foreach (var c in consumers)
            if (c.Producer.Kind == MediaKind.Video) c.SetBandwidth(share);
    }
}
