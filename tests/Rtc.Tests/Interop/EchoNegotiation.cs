using MobZ.Rtc.Sdp;
using MobZ.Rtc.Transport;

namespace MobZ.Rtc.Tests.Interop;

/// <summary>
/// Signalling for the echo tests, done with the product's SDP layer: parse the remote offer, create
/// the peer from it, answer with <see cref="SdpAnswerBuilder"/> using the peer's transport attributes,
/// and declare one SSRC per sending m-section for the echoed stream.
/// </summary>
internal sealed class EchoNegotiation
{
    private EchoNegotiation(
        RtcPeer peer,
        SessionDescription answer,
        Dictionary<int, uint> echoSsrcByPayloadType,
        Dictionary<int, string> codecByPayloadType
    )
    {
        Peer = peer;
        Answer = answer;
        EchoSsrcByPayloadType = echoSsrcByPayloadType;
        CodecByPayloadType = codecByPayloadType;
    }

    public RtcPeer Peer { get; }
    public SessionDescription Answer { get; }

    /// <summary>Every media payload type of a sending section → the SSRC our answer declared there.</summary>
    public Dictionary<int, uint> EchoSsrcByPayloadType { get; }

    /// <summary>Payload type → codec name, for counting what arrived.</summary>
    public Dictionary<int, string> CodecByPayloadType { get; }

    /// <param name="echo">True to answer sendrecv and echo; false to only receive.</param>
    /// <param name="videoFmtp">Extra fmtp parameters for answered video codecs.</param>
    public static EchoNegotiation Create(
        RtcUdpTransport transport,
        string offerSdp,
        Func<EchoNegotiation, IRtcPeerHandler> handler,
        bool echo,
        string? videoFmtp = null,
        string id = "peer"
    )
    {
        Assert.True(SessionDescription.TryParse(offerSdp, out var offer, out var parseError), parseError);
        var deferred = new DeferredHandler();
        var peer = transport.CreatePeer(offer!, deferred, id);

        uint nextSsrc = 0x0F00D001;
        var echoSsrcs = new Dictionary<int, uint>();
        var codecs = new Dictionary<int, string>();
        var options = peer.Local.ToAnswerOptions(
            chooseDirection: _ => echo ? SdpDirection.SendRecv : SdpDirection.RecvOnly,
            customize: (_, answer) =>
            {
                if (videoFmtp is not null && answer.Kind == "video")
                {
                    answer.Codecs = answer
                        .Codecs.Select(c =>
                            c.IsRtx ? c : c with { Fmtp = c.Fmtp is null ? videoFmtp : $"{c.Fmtp};{videoFmtp}" }
                        )
                        .ToList();
                }
                foreach (var codec in answer.Codecs.Where(c => !c.IsRtx))
                    codecs[codec.PayloadType] = codec.Name;
                if (!echo)
                    return;
                uint ssrc = nextSsrc++;
                string track = $"{answer.Kind}-{answer.Mid}";
                answer.Msids.Add(new SdpMsid("mobz-echo", track));
                answer.Ssrcs.Add(new SdpSsrc(ssrc, "cname", "mobz-echo"));
                answer.Ssrcs.Add(new SdpSsrc(ssrc, "msid", $"mobz-echo {track}"));
                foreach (var codec in answer.Codecs.Where(c => !c.IsRtx))
                    echoSsrcs[codec.PayloadType] = ssrc;
            }
        );
        Assert.True(SdpAnswerBuilder.TryCreate(offer!, options, out var answerSdp, out var answerError), answerError);
        var negotiation = new EchoNegotiation(peer, answerSdp!, echoSsrcs, codecs);
        deferred.Inner = handler(negotiation);
        return negotiation;
    }

    public int PayloadTypeOf(string codecName) =>
        CodecByPayloadType.First(p => p.Value.Equals(codecName, StringComparison.OrdinalIgnoreCase)).Key;

    /// <summary>The peer exists before its handler can be built from the answer; nothing arrives before ICE
    /// anyway.</summary>
    private sealed class DeferredHandler : IRtcPeerHandler
    {
        public IRtcPeerHandler? Inner { get; set; }

        public void OnRtp(RtcPeer peer, Span<byte> packet) => Inner?.OnRtp(peer, packet);

        public void OnRtcp(RtcPeer peer, Span<byte> packet) => Inner?.OnRtcp(peer, packet);

        public void OnStateChanged(RtcPeer peer, RtcPeerState state) => Inner?.OnStateChanged(peer, state);
    }
}
