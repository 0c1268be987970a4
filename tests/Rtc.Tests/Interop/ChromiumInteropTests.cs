using System.Net;
using Microsoft.Playwright;
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
    private const string MidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";
    private const uint EchoVideoSsrc = 0x0F00D001;
    private const uint EchoAudioSsrc = 0x0F00D002;
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
        var offer = OfferSummary.Parse(await _page!.EvaluateAsync<string>("s => start(s)", false));
        var video = offer.Media.Single(m => m.Kind == "video");
        var audio = offer.Media.Single(m => m.Kind == "audio");
        var answered = new[]
        {
            new AnsweredMedia(video, "VP8/90000", "sendrecv", EchoVideoSsrc),
            new AnsweredMedia(audio, "opus/48000", "sendrecv", EchoAudioSsrc),
        };
        var echo = new EchoEndpoint(new()
        {
            [answered[0].PayloadType] = EchoVideoSsrc,
            [answered[1].PayloadType] = EchoAudioSsrc,
        });
        var peer = _transport.CreatePeer(offer.Transport, echo, "chromium");

        await _page.EvaluateAsync("a => answer(a)", EchoAnswer.Build(peer.Local, answered));

        await Eventually.WaitUntilAsync(async () => await _page.EvaluateAsync<string>("() => connectionState()") == "connected",
            Timeout, "the page's RTCPeerConnection reaches connected");
        Assert.Equal(RtcPeerState.Connected, peer.State);
        await Eventually.WaitUntilAsync(() => echo.Count(answered[0].PayloadType) > 50 && echo.Count(answered[1].PayloadType) > 20,
            Timeout, "the endpoint decrypts the browser's VP8 and Opus");
        await Eventually.WaitUntilAsync(async () => (await _page.EvaluateAsync<InboundStats>("k => inbound(k)", "video")).FramesDecoded > 0,
            Timeout, "the browser decodes the video echoed back");
        var audioIn = await _page.EvaluateAsync<InboundStats>("k => inbound(k)", "audio");

        output.WriteLine($"profile {peer.SrtpProfile}, VP8 {echo.Count(answered[0].PayloadType)}, Opus {echo.Count(answered[1].PayloadType)}, " +
            $"echoed {echo.Echoed}, audio packets back {audioIn.PacketsReceived}, rtcp {echo.RtcpPackets}");
        Assert.True(audioIn.PacketsReceived > 0, "echoed Opus arrives at the browser");
        Assert.Equal(0, _transport.Counters.HandlerErrors);
        Assert.Equal(0, _transport.Counters.SrtpRejected);
    }

    [Fact]
    public async Task Chromium_simulcast_sends_three_layers_told_apart_by_rid()
    {
        var offer = OfferSummary.Parse(await _page!.EvaluateAsync<string>("s => start(s)", true));
        var video = offer.Media.Single(m => m.Kind == "video");
        Assert.True(video.Extensions.ContainsKey(RidUri), "Chromium offers the rtp-stream-id extension");
        // Chromium turns on only the layers its bandwidth estimate covers; with no transport-cc an
        // SFU raises the floor in the answer (Chromium's x-google-* fmtp) and sends REMB.
        var answered = new AnsweredMedia(video, "VP8/90000", "recvonly", null, ["q", "h", "f"], [MidUri, RidUri],
            "x-google-start-bitrate=2500;x-google-min-bitrate=2000");
        var endpoint = new EchoEndpoint([], video.Extensions[RidUri]);
        var peer = _transport.CreatePeer(offer.Transport, endpoint, "chromium-simulcast");

        var answerSdp = EchoAnswer.Build(peer.Local, [answered]);
        output.WriteLine(answerSdp);
        await _page.EvaluateAsync("a => answer(a)", answerSdp);
        await Eventually.WaitUntilAsync(() => peer.State == RtcPeerState.Connected, Timeout, "peer connects");

        // Like an SFU's bandwidth estimate: without one Chromium may keep the top layer off.
        using var diagnostics = new Timer(_ => output.WriteLine(
            $"rids [{string.Join(", ", endpoint.PacketsByRid.Select(p => $"{p.Key}={p.Value}"))}] " +
            $"pts [{string.Join(", ", endpoint.PacketsByPayloadType.Select(p => $"{p.Key}={p.Value}"))}]"), null, 1000, 2000);
        await Eventually.WaitUntilAsync(() =>
        {
            var ssrcs = endpoint.SsrcsByRid.Values.SelectMany(s => s.Keys).ToArray();
            if (ssrcs.Length > 0)
                EchoEndpoint.SendRemb(peer, 5_000_000, ssrcs);
            return endpoint.PacketsByRid.Keys.Order().SequenceEqual(["f", "h", "q"])
                && endpoint.PacketsByRid.Values.All(n => n >= 10);
        }, TimeSpan.FromSeconds(30), "packets of all three rid layers arrive");

        output.WriteLine(string.Join(", ", endpoint.PacketsByRid.Select(p => $"{p.Key}: {p.Value} packets")));
        var ssrcPerRid = endpoint.SsrcsByRid.ToDictionary(p => p.Key, p => Assert.Single(p.Value.Keys));
        Assert.Equal(3, ssrcPerRid.Values.Distinct().Count());
    }

    private sealed class InboundStats
    {
        public int PacketsReceived { get; set; }
        public int FramesDecoded { get; set; }
    }
}
