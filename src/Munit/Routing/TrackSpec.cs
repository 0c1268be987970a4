using MobZ.Rtc.Codecs;

namespace MobZ.Munit.Routing;

/// <summary>One track a publisher sends, as negotiated: codec, payload types, clock, simulcast rids (low to
/// high).</summary>
public sealed record PublishedTrack(
    MediaKind Kind,
    MediaCodec Codec,
    byte PayloadType,
    uint ClockRate,
    byte RtxPayloadType,
    IReadOnlyList<string?> Rids,
    string? Mid
)
{
    /// <summary>The id under which this track's packets carry abs-send-time (0: they do not).</summary>
    public int AbsSendTimeId { get; init; }
}

/// <summary>The header extension ids a publisher negotiated that the Munit reads (0: not negotiated).</summary>
public sealed record PublisherExtensions(int Mid = 0, int Rid = 0, int RepairedRid = 0)
{
    /// <summary>The publisher's video answered "ccm fir" but not "nack pli": keyframes are asked for with FIR (RFC
    /// 5104).</summary>
    public bool KeyFramesByFir { get; init; }

    /// <summary>The transport-wide sequence number's id, when the publisher also answered "transport-cc" feedback
    /// (0: not negotiated; the Munit then estimates the publisher's bandwidth itself and sends REMB).</summary>
    public int TransportCc { get; init; }

    /// <summary>The abs-send-time id (0: not negotiated): the send clock of the Munit's own estimate.</summary>
    public int AbsSendTime { get; init; }
}

/// <summary>
/// How one track reaches one viewer: its SSRCs and payload types in the viewer's session, and the id under
/// which the viewer negotiated abs-send-time (0: not negotiated; the Munit then leaves the extension alone).
/// </summary>
public sealed record ConsumedTrack(
    uint Ssrc,
    byte PayloadType,
    uint RtxSsrc = 0,
    byte RtxPayloadType = 0,
    string? Mid = null,
    int AbsSendTimeId = 0
);
