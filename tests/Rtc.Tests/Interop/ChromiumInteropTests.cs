using System.Net;
using Microsoft.Playwright;
using MobZ.Rtc.Rtp;
using MobZ.Rtc.Transport;
using MobZ.TestKit;
using MobZ.TestKit.Browser;
using Xunit.Abstractions;

namespace MobZ.Rtc.Tests.Interop;

/// <summary>Headless Chromium against an echo endpoint built on src/Rtc, all on 127.0.0.1.</summary>
[Trait("Category", "Interop")]
public sealed class ChromiumInteropTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string RidUri = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly RtcUdpTransport _transport = new(new RtcTransportOptions { BindAddress = IPAddress.Loopback });
    private Chromium? _chromium;
    private IPage? _page;

    public async Task InitializeAsync()
    {
        _chromium = await Chromium.LaunchAsync(new ChromiumOptions { Log = output.WriteLine });
        _page = await _chromium.NewPageWithContentAsync(BrowserPage.Html);
    }

    public async Task DisposeAsync()
    {
        _transport.Dispose();
        if (_chromium is not null)
            await _chromium.DisposeAsync();
    }

    [Fact]
    public async Task Chromium_connects_sends_vp8_and_opus_and_decodes_the_echoed_video()
    {
        var offer = await _page!.EvaluateAsync<string>("s => start(s)", false);
        EchoEndpoint? echo = null;
        var negotiation = EchoNegotiation.Create(
            _transport,
            offer,
            n => echo = new EchoEndpoint(n.EchoSsrcByPayloadType),
            echo: true,
            id: "chromium"
        );
        var peer = negotiation.Peer;
        Assert.Equal("127.0.0.1", Assert.Single(peer.Local.Candidates).Address);

        await _page.EvaluateAsync("a => answer(a)", negotiation.Answer.ToString());

        await Eventually.WaitUntilAsync(
            async () => await _page.EvaluateAsync<string>("() => connectionState()") == "connected",
            Timeout,
            "the page's RTCPeerConnection reaches connected"
        );
        Assert.Equal(RtcPeerState.Connected, peer.State);
        await Eventually.WaitUntilAsync(
            () => echo!.Count(negotiation, "VP8") > 50 && echo.Count(negotiation, "opus") > 20,
            Timeout,
            "the endpoint decrypts the browser's VP8 and Opus"
        );
        await Eventually.WaitUntilAsync(
            async () => (await _page.EvaluateAsync<InboundStats>("k => inbound(k)", "video")).FramesDecoded > 0,
            Timeout,
            "the browser decodes the video echoed back"
        );
        var audioIn = await _page.EvaluateAsync<InboundStats>("k => inbound(k)", "audio");

        output.WriteLine(
            $"profile {peer.SrtpProfile}, VP8 {echo!.Count(negotiation, "VP8")}, Opus {echo.Count(negotiation, "opus")}, "
                + $"echoed {echo.Echoed}, audio packets back {audioIn.PacketsReceived}, rtcp {echo.RtcpPackets}"
        );
        Assert.True(audioIn.PacketsReceived > 0, "echoed Opus arrives at the browser");
        Assert.Equal(0, _transport.Counters.HandlerErrors);
        Assert.Equal(0, _transport.Counters.SrtpRejected);
    }

    [Fact]
    public async Task Chromium_simulcast_sends_three_layers_told_apart_by_rid()
    {
        var offer = await _page!.EvaluateAsync<string>("s => start(s)", true);
        EchoEndpoint? endpoint = null;
        // Chromium turns on only the layers its bandwidth estimate covers; an SFU without
        // transport-cc raises the floor in the answer (Chromium's x-google-* fmtp) and sends REMB.
        var negotiation = EchoNegotiation.Create(
            _transport,
            offer,
            n =>
            {
                var video = n.Answer.Media.Single(m => m.Kind == "video");
                Assert.Equal(["q", "h", "f"], video.Rids.Select(r => r.Id));
                var ridId = video.FindHeaderExtension(RidUri)?.Id
                    ?? throw new InvalidOperationException("answer lacks rtp-stream-id");
                return endpoint = new EchoEndpoint([], ridId);
            },
            echo: false,
            videoFmtp: "x-google-start-bitrate=2500;x-google-min-bitrate=2000",
            id: "chromium-simulcast"
        );
        var peer = negotiation.Peer;

        await _page.EvaluateAsync("a => answer(a)", negotiation.Answer.ToString());
        await Eventually.WaitUntilAsync(() => peer.State == RtcPeerState.Connected, Timeout, "peer connects");

        using var diagnostics = new Timer(
            _ =>
                output.WriteLine(
                    $"rids [{string.Join(", ", endpoint!.PacketsByRid.Select(p => $"{p.Key}={p.Value}"))}]"
                ),
            null,
            1000,
            2000
        );
        await Eventually.WaitUntilAsync(
            () =>
            {
                var ssrcs = endpoint!.SsrcsByRid.Values.SelectMany(s => s.Keys).ToArray();
                if (ssrcs.Length > 0)
                    EchoEndpoint.SendRemb(peer, 5_000_000, ssrcs);
                return endpoint.PacketsByRid.Keys.Order().SequenceEqual(["f", "h", "q"])
                    && endpoint.PacketsByRid.Values.All(n => n >= 10);
            },
            TimeSpan.FromSeconds(30),
            "packets of all three rid layers arrive"
        );

        output.WriteLine(string.Join(", ", endpoint!.PacketsByRid.Select(p => $"{p.Key}: {p.Value} packets")));
        var ssrcPerRid = endpoint.SsrcsByRid.ToDictionary(p => p.Key, p => Assert.Single(p.Value.Keys));
        Assert.Equal(3, ssrcPerRid.Values.Distinct().Count());
    }

    private sealed class InboundStats
    {
        public int PacketsReceived { get; set; }
        public int FramesDecoded { get; set; }
    }
}
