using MobZ.Fuzz.Harnesses;

namespace MobZ.Fuzz;

/// <summary>
/// One fuzz target: feeds an input to a product parser. It returns for every input the parser handles as
/// documented (accepted, or refused the documented way); it throws for anything else, which AFL++ records as a crash.
/// </summary>
public sealed record Harness(string Name, string Parser, Action<byte[]> Run)
{
    public static readonly IReadOnlyList<Harness> All =
    [
        new("rtp", "RtpPacket, header extensions, rewriters, RTX", RtpHarness.Run),
        new("rtcp", "RTCP compound walk and every RTCP reader", RtcpHarness.Run),
        new("stun", "STUN reader, ICE-lite registry and agent", StunHarness.Run),
        new("dtls-record", "DTLS record framing of a datagram", DtlsRecordHarness.Run),
        new("sdp", "SDP parser, writer, answer builder, candidate/simulcast/profile parsers", SdpHarness.Run),
        new("h264", "RFC 6184 depacketizer fed RFC 4571-framed RTP packets", H264Harness.Run),
        new("rooms-json", "rooms client message scan and parse", RoomsJsonHarness.Run),
        new("ps-json", "Pixel Streaming inbound message parse and relay", PsJsonHarness.Run),
        new("hls-request", "LL-HLS request path and query directives", HlsRequestHarness.Run),
    ];

    public static Harness? Find(string name) => All.FirstOrDefault(h => h.Name == name);
}
