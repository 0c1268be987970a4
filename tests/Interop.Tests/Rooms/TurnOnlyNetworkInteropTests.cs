using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.LocalStack.Hosting;
using MobZ.TestKit;
using MobZ.TestKit.Browser;
using MobZ.TestKit.Network;
using MobZ.TestKit.Turn;
using Xunit.Abstractions;

namespace MobZ.Interop.Tests.Rooms;

/// <summary>
/// A network where everything is dropped except signaling (the stack's HTTP port) and the TURN server: Chromium in a
/// network namespace joins an m2m room with the demo page, as any user would (no relay-only option), and the only
/// way its media reaches the Munit — which listens on an address it could otherwise reach — is through coturn with
/// the TURN REST credentials its JoinAck carries.
/// </summary>
[Trait("Category", "Interop")]
public sealed class TurnOnlyNetworkInteropTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan MediaTimeout = TimeSpan.FromSeconds(60);
    private NetworkNamespace? _namespace;
    private Coturn? _turn;
    private RunningLocalStack? _stack;
    private Chromium? _chromium;

    public async Task InitializeAsync()
    {
        _namespace = await NetworkNamespace.CreateAsync();
        var host = _namespace.HostAddress;
        var turnServer = _turn = await Coturn.StartAsync(address: host);
        // Signaling, pages and the Munit (UDP and ICE-TCP) all on the host side of the veth pair, reachable from
        // inside.
        _stack = await LocalStackHost.StartAsync(
            new LocalStackOptions
            {
                Urls = $"http://{host}:0",
                Redis = "",
                MinimumLogLevel = LogLevel.Warning,
                PrintReadyLine = false,
                Capabilities = b =>
                {
                    b.Services.AddMobZRooms(o =>
                        o.Turn = new() { Urls = [turnServer.Url], SharedSecret = turnServer.Secret }
                    );
                    b.Services.AddMunit(o => o.BindAddress = host.ToString()).AddRegulator();
                },
            }
        );

        string http = _stack.BaseUrl.Port.ToString(CultureInfo.InvariantCulture);
        string turn = turnServer.Port.ToString(CultureInfo.InvariantCulture);
        foreach (
            var rule in new[]
            {
                new[] { "-A", "OUTPUT", "-o", "lo", "-j", "ACCEPT" },
                ["-A", "OUTPUT", "-p", "tcp", "-d", host.ToString(), "--dport", http, "-j", "ACCEPT"],
                ["-A", "OUTPUT", "-p", "udp", "-d", host.ToString(), "--dport", turn, "-j", "ACCEPT"],
                ["-A", "OUTPUT", "-j", "DROP"],
            }
        )
        {
            await _namespace.RunInsideAsync(["iptables", .. rule]);
        }

        _chromium = await Chromium.LaunchAsync(
            new ChromiumOptions
            {
                Log = output.WriteLine,
                ExecutablePath = _namespace.Wrap(new ChromiumOptions().ExecutablePath),
                // The page comes from the veth address, not localhost: let it use the camera as a secure origin would.
                ExtraArgs =
                [
                    $"--unsafely-treat-insecure-origin-as-secure={_stack.BaseUrl.GetLeftPart(UriPartial.Authority)}",
                ],
            }
        );
    }

    public async Task DisposeAsync()
    {
        if (_chromium is not null)
            await _chromium.DisposeAsync();
        if (_stack is not null)
            await _stack.DisposeAsync();
        if (_turn is not null)
            await _turn.DisposeAsync();
        if (_namespace is not null)
            await _namespace.DisposeAsync();
    }

    [Fact]
    public async Task Chromium_on_a_network_that_lets_only_the_TURN_server_through_joins_and_decodes_through_coturn()
    {
        var room = "turn-only-" + Guid.NewGuid().ToString("N")[..8];
        var publisher = await RoomPage.OpenAsync(_chromium!, _stack!.BaseUrl, room, "publisher", simulcast: false);
        string? station = null;
        await Eventually.WaitUntilAsync(
            async () => (station = await publisher.StationIdAsync()) is not null,
            MediaTimeout,
            "the publisher joined"
        );
        var viewer = await RoomPage.OpenAsync(_chromium!, _stack.BaseUrl, room, "viewer", simulcast: false);
        try
        {
            await Eventually.WaitUntilAsync(
                async () =>
                {
                    var video = await viewer.VideoAsync();
                    return video.TryGetValue(station!, out var v) && v.FramesDecoded > 30;
                },
                MediaTimeout,
                "the viewer decodes 30 frames of the publisher"
            );
        }
        catch (Xunit.Sdk.XunitException)
        {
            output.WriteLine($"publisher: {await publisher.DescribeAsync()}");
            output.WriteLine($"viewer: {await viewer.DescribeAsync()}");
            throw;
        }

        var published = await publisher.CandidateTypesAsync();
        var watched = await viewer.CandidateTypesAsync();
        output.WriteLine(
            $"selected local candidates: publisher {published.Publish}, viewer {string.Join(",", watched.Viewers)}"
        );
        Assert.Equal("relay", published.Publish);
        Assert.Equal("relay", Assert.Single(watched.Viewers));
        Assert.Equal("connected", await publisher.PublishStateAsync());
    }
}
