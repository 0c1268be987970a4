using Microsoft.Playwright;
using MobZ.Munit.Control;
using MobZ.Munit.WebRtc;
using MobZ.TestKit.Browser;
using MobZ.TestKit.Network;

namespace MobZ.Munit.Tests.Interop;

/// <summary>
/// What the congestion-control interop tests share: a network namespace whose link tc can shape, a Munit bound to
/// the host's end of it, a Chromium inside the namespace (the peer whose link is shaped) and, when a test asks, one
/// outside it on the unshaped host side. Pages are <see cref="ChromiumPages.Html"/>.
/// </summary>
internal sealed class NamespacedMunit : IAsyncDisposable
{
    private readonly Action<string> _log;
    private Chromium? _outside;

    private NamespacedMunit(NetworkNamespace network, WebRtcMedia media, MunitServer munit, Action<string> log)
    {
        Network = network;
        Media = media;
        Munit = munit;
        _log = log;
    }

    public NetworkNamespace Network { get; }
    public WebRtcMedia Media { get; }
    public MunitServer Munit { get; }

    /// <summary>The browser inside the namespace: what it receives and sends crosses the shaped link.</summary>
    public Chromium Inside { get; private set; } = null!;

    public static async Task<NamespacedMunit> StartAsync(Action<string> log)
    {
        var network = await NetworkNamespace.CreateAsync();
        var options = new MunitOptions
        {
            BindAddress = network.HostAddress.ToString(),
            Port = 0,
            Workers = 1,
        };
        var media = new WebRtcMedia(options);
        var rig = new NamespacedMunit(network, media, new MunitServer(options, media), log);
        rig.Inside = await Chromium.LaunchAsync(
            new ChromiumOptions { Log = log, ExecutablePath = network.Wrap(new ChromiumOptions().ExecutablePath) }
        );
        return rig;
    }

    /// <summary>The browser outside the namespace (launched on first use): its link is never shaped.</summary>
    public async Task<Chromium> OutsideAsync() =>
        _outside ??= await Chromium.LaunchAsync(new ChromiumOptions { Log = _log });

    /// <summary>Creates the station and publishes the page's camera (three simulcast layers and audio) on it.</summary>
    public async Task<IPage> PublishAsync(Chromium browser, string station)
    {
        Assert.True(Munit.CreateStation(new StationDescriptor(station, "room-1", "pub", "m2m", false)));
        var publisher = await browser.NewPageWithContentAsync(ChromiumPages.Html);
        var offer = await publisher.EvaluateAsync<string>("() => publish()");
        var published = await Munit.HandleAsync(new MediaCommand(MediaOp.Publish, station, "pub") { Sdp = offer });
        Assert.True(published.Ok, published.Error);
        Assert.Contains("transport-cc", published.Sdp);
        await publisher.EvaluateAsync("a => answer(a)", published.Sdp);
        return publisher;
    }

    /// <summary>A viewer page watching the station; its answer keeps transport-cc.</summary>
    public async Task<IPage> WatchAsync(Chromium browser, string station, string viewerId)
    {
        var viewer = await browser.NewPageWithContentAsync(ChromiumPages.Html);
        var watch = await Munit.HandleAsync(new MediaCommand(MediaOp.Watch, station, viewerId));
        Assert.True(watch.Ok, watch.Error);
        var answer = await viewer.EvaluateAsync<string>("o => watch(o)", watch.Sdp);
        Assert.Contains("transport-cc", answer);
        var applied = await Munit.HandleAsync(new MediaCommand(MediaOp.Answer, station, viewerId) { Sdp = answer });
        Assert.True(applied.Ok, applied.Error);
        return viewer;
    }

    /// <summary>The Munit's stats of one viewer of the station.</summary>
    public SubscriberStats Viewer(string station, string viewerId) =>
        Assert.Single(Munit.FindStation(station)!.Media.GetStats().SubscriberDetails, s => s.PeerId == viewerId);

    public async ValueTask DisposeAsync()
    {
        if (_outside is not null)
            await _outside.DisposeAsync();
        if (Inside is not null)
            await Inside.DisposeAsync();
        await Munit.DisposeAsync();
        Media.Dispose();
        await Network.DisposeAsync();
    }
}
