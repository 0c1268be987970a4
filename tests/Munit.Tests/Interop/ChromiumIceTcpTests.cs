using MobZ.Munit.Control;
using MobZ.Munit.WebRtc;
using MobZ.TestKit;
using MobZ.TestKit.Browser;
using MobZ.TestKit.Network;
using Xunit.Abstractions;

namespace MobZ.Munit.Tests.Interop;

/// <summary>
/// Chromium in a network namespace whose UDP is dropped (a network that blocks UDP) publishes to the Munit and
/// watches through it: the only way through is ICE over TCP (the Munit's passive TCP candidate, RFC 4571 framing).
/// </summary>
[Trait("Category", "Interop")]
public sealed class ChromiumIceTcpTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private NetworkNamespace? _namespace;
    private WebRtcMedia? _media;
    private MunitServer? _munit;
    private Chromium? _chromium;

    private const string SelectedPair = """
        async () => {
          const stats = await pc.getStats();
          let pair = null;
          stats.forEach(s => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId); });
          if (!pair) return '';
          const local = stats.get(pair.localCandidateId), remote = stats.get(pair.remoteCandidateId);
          return `${local.protocol} ${remote.protocol} ${remote.address}:${remote.port} ${remote.tcpType || ''}`;
        }
        """;

    public async Task InitializeAsync()
    {
        _namespace = await NetworkNamespace.CreateAsync();
        await _namespace.RunInsideAsync("iptables", "-A", "OUTPUT", "-p", "udp", "-j", "DROP");
        var options = new MunitOptions { BindAddress = _namespace.HostAddress.ToString(), Port = 0 };
        _media = new WebRtcMedia(options);
        _munit = new MunitServer(options, _media);
        _chromium = await Chromium.LaunchAsync(
            new ChromiumOptions
            {
                Log = output.WriteLine,
                ExecutablePath = _namespace.Wrap(new ChromiumOptions().ExecutablePath),
            }
        );
    }

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
            await _chromium.DisposeAsync();
        if (_munit is not null)
            await _munit.DisposeAsync();
        _media?.Dispose();
        if (_namespace is not null)
            await _namespace.DisposeAsync();
    }

    [Fact]
    public async Task Chromium_behind_a_udp_blocking_firewall_publishes_and_views_over_ice_tcp()
    {
        Assert.True(_munit!.CreateStation(new StationDescriptor("st-tcp", "room-1", "pub", "m2m", false)));
        var publisher = await _chromium!.NewPageWithContentAsync(ChromiumPages.Html);
        var viewer = await _chromium.NewPageWithContentAsync(ChromiumPages.Html);

        var offer = await publisher.EvaluateAsync<string>("() => publish()");
        var published = await _munit.HandleAsync(new MediaCommand(MediaOp.Publish, "st-tcp", "pub") { Sdp = offer });
        Assert.True(published.Ok, published.Error);
        Assert.Contains(" tcp ", published.Sdp);
        Assert.Contains("tcptype passive", published.Sdp);
        await publisher.EvaluateAsync("a => answer(a)", published.Sdp);

        var watch = await _munit.HandleAsync(new MediaCommand(MediaOp.Watch, "st-tcp", "viewer"));
        Assert.True(watch.Ok, watch.Error);
        var answer = await viewer.EvaluateAsync<string>("o => watch(o)", watch.Sdp);
        var answered = await _munit.HandleAsync(new MediaCommand(MediaOp.Answer, "st-tcp", "viewer") { Sdp = answer });
        Assert.True(answered.Ok, answered.Error);

        VideoStats last = new();
        try
        {
            await Eventually.WaitUntilAsync(
                async () =>
                {
                    last = await viewer.EvaluateAsync<VideoStats>("() => video()");
                    return last.FramesDecoded > 30;
                },
                Timeout,
                "the viewer decodes 30 frames over ICE-TCP"
            );
        }
        catch (Xunit.Sdk.XunitException)
        {
            var c = _media!.Workers[0].Transport.Counters;
            output.WriteLine(
                $"last: {last.FramesDecoded} frames, {last.PacketsReceived} packets; munit: {c.TcpAccepted} tcp accepted, "
                    + $"{c.TcpFramesReceived} frames, {c.DatagramsReceived} udp datagrams"
            );
            throw;
        }

        var tcpPort = _media!.TcpPort!.Value;
        foreach (var (role, page) in new[] { ("publisher", publisher), ("viewer", viewer) })
        {
            var pair = await page.EvaluateAsync<string>(SelectedPair);
            output.WriteLine($"{role} selected pair: {pair}");
            Assert.Equal($"tcp tcp {_namespace!.HostAddress}:{tcpPort} passive", pair);
        }
        var counters = _media!.Workers[0].Transport.Counters;
        output.WriteLine(
            $"munit: {counters.TcpAccepted} tcp accepted, {counters.TcpOpen} open, {counters.TcpFramesReceived} frames, {counters.DatagramsReceived} udp datagrams, {counters.TcpSendDropped} send drops"
        );
        Assert.True(counters.TcpOpen >= 2, $"{counters.TcpOpen} ICE-TCP connections open");
        Assert.Equal(0, counters.DatagramsReceived);
    }
}
