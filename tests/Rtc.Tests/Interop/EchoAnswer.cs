using System.Text;
using MobZ.Rtc.Transport;

namespace MobZ.Rtc.Tests.Interop;

/// <summary>How the echo endpoint answers one offered m-line.</summary>
internal sealed record AnsweredMedia(OfferedMedia Offer, string Encoding, string Direction, uint? SendSsrc,
    IReadOnlyList<string>? Rids = null, IReadOnlyList<string>? ExtensionUris = null, string? Fmtp = null)
{
    public int PayloadType => Offer.PayloadType(Encoding);
}

/// <summary>Writes an ICE-lite, BUNDLE, rtcp-mux answer carrying a peer's <see cref="RtcLocalParameters"/>.</summary>
internal static class EchoAnswer
{
    public static string Build(RtcLocalParameters local, IReadOnlyList<AnsweredMedia> media)
    {
        var sdp = new StringBuilder();
        sdp.Append("v=0\r\n")
            .Append("o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n")
            .Append("s=-\r\nt=0 0\r\n")
            .Append("a=ice-lite\r\n")
            .Append("a=group:BUNDLE ").AppendJoin(' ', media.Select(m => m.Offer.Mid)).Append("\r\n")
            .Append("a=msid-semantic: WMS mobz\r\n");
        var candidate = local.Candidates[0];
        foreach (var m in media)
        {
            int pt = m.PayloadType;
            sdp.Append($"m={m.Offer.Kind} {candidate.Port} UDP/TLS/RTP/SAVPF {pt}\r\n")
                .Append($"c=IN IP4 {candidate.Address}\r\n")
                .Append($"a=mid:{m.Offer.Mid}\r\n")
                .Append($"a={m.Direction}\r\n")
                .Append("a=rtcp-mux\r\na=rtcp-rsize\r\n")
                .Append($"a=ice-ufrag:{local.Ice.Ufrag}\r\n")
                .Append($"a=ice-pwd:{local.Ice.Password}\r\n")
                .Append($"a=fingerprint:{local.Fingerprint}\r\n")
                .Append($"a=setup:{local.Setup}\r\n")
                .Append($"a=rtpmap:{pt} {m.Offer.Codecs.First(c => c.PayloadType == pt).Encoding}\r\n");
            foreach (var fmtp in m.Offer.Fmtp.Where(f => f.StartsWith($"fmtp:{pt} ")))
                sdp.Append($"a={fmtp}\r\n");
            if (m.Fmtp is not null)
                sdp.Append($"a=fmtp:{pt} {m.Fmtp}\r\n");
            if (m.Offer.Kind == "video")
                sdp.Append($"a=rtcp-fb:{pt} nack pli\r\na=rtcp-fb:{pt} goog-remb\r\n");
            foreach (var uri in m.ExtensionUris ?? [])
            {
                if (m.Offer.Extensions.TryGetValue(uri, out int id))
                    sdp.Append($"a=extmap:{id} {uri}\r\n");
            }
            if (m.Rids is { Count: > 0 } rids)
            {
                foreach (var rid in rids)
                    sdp.Append($"a=rid:{rid} recv\r\n");
                sdp.Append("a=simulcast:recv ").AppendJoin(';', rids).Append("\r\n");
            }
            if (m.SendSsrc is { } ssrc)
            {
                string track = $"{m.Offer.Kind}{m.Offer.Mid}";
                sdp.Append($"a=msid:mobz {track}\r\n")
                    .Append($"a=ssrc:{ssrc} cname:mobz-echo\r\n")
                    .Append($"a=ssrc:{ssrc} msid:mobz {track}\r\n");
            }
            sdp.Append($"a={candidate.ToSdpValue()}\r\n")
                .Append("a=end-of-candidates\r\n");
        }
        return sdp.ToString();
    }
}
