using MobZ.Munit.Buffers;
using MobZ.Munit.Congestion;
using MobZ.Munit.Rtp;
using MobZ.Munit.Stats;
using MobZ.Rtc.Rtcp;
using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Routing;

/// <summary>
/// The publisher's peer connection as the forwarder sees it: which producer and layer an incoming SSRC
/// belongs to (bound on the first packet from the mid / rid / repaired-rid header extensions or the payload
/// type), and the RTCP path back to the publisher (keyframe requests, NACKs, receiver reports, REMB).
/// </summary>
public sealed class Publisher : IKeyFrameRequester
{
    private readonly IPacketBufferPool _pool;
    private Producer[] _producers = [];
    private readonly long[] _drops = new long[Enum.GetValues<DropReason>().Length];

    public Publisher(string peerId, IPeerOutput output, IPacketBufferPool pool)
    {
        PeerId = peerId;
        Output = output;
        _pool = pool;
    }

    public string PeerId { get; set; }
    public IPeerOutput Output { get; set; }
    public Producer[] Producers => Volatile.Read(ref _producers);

    /// <summary>Negotiated header extension ids (0: not negotiated).</summary>
    public int MidExtensionId { get; set; }
    public int RidExtensionId { get; set; }
    public int RepairedRidExtensionId { get; set; }

    /// <summary>
    /// The transport-wide sequence number's id when the publisher negotiated transport-cc (0: it did not). Setting
    /// it gives the publisher a <see cref="TransportCc"/> recorder instead of the Munit's own <see
    /// cref="Estimator"/>.
    /// </summary>
    public int TransportCcExtensionId
    {
        get;
        init
        {
            field = value;
            TransportCc = value > 0 ? new TransportCcRecorder() : null;
            Estimator = value > 0 ? null : new ReceiveSideEstimator();
        }
    }

    /// <summary>The abs-send-time id (0: not negotiated): the send clock of <see cref="Estimator"/>.</summary>
    public int AbsSendTimeExtensionId { get; init; }

    /// <summary>Arrivals for transport-cc feedback (the publisher estimates its own bandwidth from it); null when
    /// the publisher did not negotiate transport-cc.</summary>
    public TransportCcRecorder? TransportCc { get; private init; }

    /// <summary>The Munit's estimate of this publisher's bandwidth, sent as REMB; null when it negotiated
    /// transport-cc.</summary>
    public ReceiveSideEstimator? Estimator { get; private init; } = new();

    /// <summary>The REMB value sent last (bit/s; 0 before the first), and when (engine ms).</summary>
    public long RembSent { get; set; }
    public long RembSentMs { get; set; }

    /// <summary>When the last round of transport-cc feedback went out (engine ms).</summary>
    public long LastTransportCcMs { get; set; } = long.MinValue / 2;

    /// <summary>mid of each producer's m-line, same order as <see cref="Producers"/>.</summary>
    public string?[] Mids { get; set; } = [];
    public uint RtcpSsrc { get; } = (uint)Random.Shared.NextInt64(1, uint.MaxValue);

    /// <summary>Ask for keyframes with FIR instead of PLI: the publisher negotiated only "ccm fir".</summary>
    public bool KeyFramesByFir { get; init; }
    private byte _firSequence;

    public long PacketsIn { get; set; }
    public long BytesIn { get; set; }
    public long NacksSent { get; set; }

    /// <summary>The engine's running totals, counted beside this publisher's own (null outside an engine).</summary>
    public MediaTotals? Totals { get; init; }

    public long Drops(DropReason reason) => _drops[(int)reason];

    public void Drop(DropReason reason) => _drops[(int)reason]++;

    public void SetProducers(Producer[] producers, string?[] mids)
    {
        Mids = mids;
        Volatile.Write(ref _producers, producers);
    }

    /// <summary>Finds (or, for a new SSRC, binds) the producer and layer of an incoming packet.</summary>
    public bool TryResolve(in RtpPacket rtp, out Producer? producer, out int layer, out bool isRtx)
    {
        uint ssrc = rtp.Ssrc;
        foreach (var p in Producers)
        {
            layer = p.FindLayer(ssrc);
            if (layer >= 0)
            {
                producer = p;
                isRtx = false;
                return true;
            }
            layer = p.FindRtxLayer(ssrc);
            if (layer >= 0)
            {
                producer = p;
                isRtx = true;
                return true;
            }
        }
        return TryBind(rtp, out producer, out layer, out isRtx);
    }

    private bool TryBind(in RtpPacket rtp, out Producer? producer, out int layer, out bool isRtx)
    {
        producer = null;
        layer = -1;
        isRtx = false;
        var producers = Producers;
        if (MidExtensionId > 0 && rtp.TryGetExtension(MidExtensionId, out var mid))
        {
            for (int i = 0; i < producers.Length && i < Mids.Length; i++)
            {
                if (Mids[i] is { } m && AsciiEquals(m, mid))
                    producer = producers[i];
            }
        }
        byte pt = rtp.PayloadType;
        if (producer is null)
        {
            foreach (var p in producers)
            {
                if (p.PayloadType == pt || p.RtxPayloadType != 0 && p.RtxPayloadType == pt)
                {
                    producer = p;
                    break;
                }
            }
        }
        if (producer is null)
            return false;
        isRtx = producer.RtxPayloadType != 0 && pt == producer.RtxPayloadType;

        if (!producer.IsSimulcast)
            layer = 0;
        else if (!isRtx && RidExtensionId > 0 && rtp.TryGetExtension(RidExtensionId, out var rid))
            layer = producer.FindRid(rid);
        else if (isRtx && RepairedRidExtensionId > 0 && rtp.TryGetExtension(RepairedRidExtensionId, out var rrid))
            layer = producer.FindRid(rrid);
        if (layer < 0)
            return false;

        if (isRtx)
            producer.Layers[layer].RtxSsrc = rtp.Ssrc;
        else
            producer.Layers[layer].Bind(rtp.Ssrc);
        return true;
    }

    private static bool AsciiEquals(string s, ReadOnlySpan<byte> b)
    {
        if (s.Length != b.Length)
            return false;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] != b[i])
                return false;
        }

        return true;
    }

    /// <summary>Sends a PLI — or a FIR when that is all the publisher negotiated — for <paramref name="ssrc"/>
    /// (called through the keyframe request manager only, which has already deduplicated and throttled it).</summary>
    public void RequestKeyFrame(uint ssrc)
    {
        var buffer = _pool.Rent();
        try
        {
            int written;
            bool ok;
            if (KeyFramesByFir)
            {
                // RFC 5104 §4.3.1.1: a new request carries a new sequence number; a repeat of the same one would be
                // ignored.
                Span<FirEntry> entry = [new FirEntry(ssrc, _firSequence++)];
                ok = new FullIntraRequestWriter { SenderSsrc = RtcpSsrc, Entries = entry }.TryWrite(
                    buffer,
                    out written
                );
            }
            else
            {
                ok = new PictureLossIndication(RtcpSsrc, ssrc).TryWrite(buffer, out written);
            }
            if (ok)
            {
                if (Totals is not null)
                    Totals.KeyFrameRequestsSent++;
                Output.SendRtcp(buffer, written);
            }
        }
        finally
        {
            _pool.Return(buffer);
        }
    }

    /// <summary>Sends NACKs for packets the Munit itself lost upstream.</summary>
    public void SendNack(uint mediaSsrc, ReadOnlySpan<ushort> lost)
    {
        var writer = new GenericNackWriter
        {
            SenderSsrc = RtcpSsrc,
            MediaSsrc = mediaSsrc,
            LostSequenceNumbers = lost,
        };
        var buffer = _pool.Rent();
        try
        {
            if (writer.GetSize() <= buffer.Length && writer.TryWrite(buffer, out int written))
            {
                NacksSent++;
                if (Totals is not null)
                    Totals.NacksSent++;
                Output.SendRtcp(buffer, written);
            }
        }
        finally
        {
            _pool.Return(buffer);
        }
    }
}
