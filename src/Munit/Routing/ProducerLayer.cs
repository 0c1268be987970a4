using MobZ.Munit.Rtp;

namespace MobZ.Munit.Routing;

/// <summary>
/// One encoding of a producer: a simulcast layer (by rid) or the only stream. Bound to an SSRC when the first
/// packet arrives; a different SSRC later (the publisher restarted) starts a new <see cref="Generation"/>
/// with fresh receive state, and consumers re-base their numbering on it.
/// </summary>
public sealed class ProducerLayer
{
    /// <summary>A layer without packets for this long counts as stopped (Janus's simulcast fallback is 250 ms; browsers
    /// pause layers for seconds).</summary>
    public const long ActiveTimeoutMs = 400;

    private readonly uint _clockRate;
    private readonly int _cacheCapacity;

    public ProducerLayer(int index, string? rid, uint clockRate, int cacheCapacity)
    {
        Index = index;
        Rid = rid;
        _clockRate = clockRate;
        _cacheCapacity = cacheCapacity;
    }

    public int Index { get; }
    public string? Rid { get; }

    /// <summary>0 until the first packet binds the layer.</summary>
    public uint Ssrc { get; private set; }
    public uint RtxSsrc { get; set; }

    /// <summary>Counts SSRC (re)bindings: consumers compare it to notice a publisher restart.</summary>
    public int Generation { get; private set; }
    public RtpStreamRecv? Recv { get; private set; }
    public PacketCache? Cache { get; private set; }

    public void Bind(uint ssrc)
    {
        if (Ssrc == ssrc && Recv is not null)
            return;
        Ssrc = ssrc;
        Recv = new RtpStreamRecv(ssrc, _clockRate);
        if (_cacheCapacity > 0)
        {
            Cache ??= new PacketCache(_cacheCapacity);
            Cache.Clear();
        }
        Generation++;
    }

    /// <summary>Forgets the SSRCs (the publisher is gone or renegotiating); the next packet binds again.</summary>
    public void Unbind()
    {
        Ssrc = 0;
        RtxSsrc = 0;
        Recv = null;
        Cache?.Clear();
    }

    public bool IsActive(long nowMs) => Recv is { } r && r.Packets > 0 && nowMs - r.LastPacketMs < ActiveTimeoutMs;
}
