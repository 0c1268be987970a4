using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.LocalStack.Hosting;
using MobZ.TestKit;
using MobZ.TestKit.Turn;
using Xunit.Abstractions;

namespace MobZ.Interop.Tests.Rooms;

/// <summary>
/// A network that lets media through only via TURN: the rooms hand out credentials for a real coturn (the TURN
/// REST API's shared secret), Chromium is told to use relay candidates only, and a call still flows — through
/// coturn to the Munit.
/// </summary>
[Trait("Category", "Interop")]
[Collection(StackCollection.Name)]
public sealed class TurnRelayInteropTests(StackFixture stack, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan MediaTimeout = TimeSpan.FromSeconds(60);

    public Task InitializeAsync() => stack.ClosePagesAsync();

    public Task DisposeAsync() => stack.ClosePagesAsync();

    [Fact]
    public async Task A_publisher_and_a_viewer_limited_to_relay_candidates_call_through_coturn()
    {
        await using var turn = await Coturn.StartAsync();
        // A stack of its own (in-process state, its own Munit) whose rooms know the TURN server.
        await using var local = await LocalStackHost.StartAsync(
            new LocalStackOptions
            {
                Urls = "http://127.0.0.1:0",
                Redis = "",
                MinimumLogLevel = LogLevel.Warning,
                PrintReadyLine = false,
                Capabilities = b =>
                {
                    b.Services.AddMobZRooms(o => o.Turn = new() { Urls = [turn.Url], SharedSecret = turn.Secret });
                    b.Services.AddMunit().AddRegulator();
                },
            }
        );

        var room = "relay-" + Guid.NewGuid().ToString("N")[..8];
        var publisher = await RoomPage.OpenAsync(
            stack.Browser,
            local.BaseUrl,
            room,
            "publisher",
            simulcast: false,
            extraQuery: "relay=1"
        );
        string? station = null;
        await Eventually.WaitUntilAsync(
            async () => (station = await publisher.StationIdAsync()) is not null,
            MediaTimeout,
            "the publisher joined"
        );
        var viewer = await RoomPage.OpenAsync(
            stack.Browser,
            local.BaseUrl,
            room,
            "viewer",
            simulcast: false,
            extraQuery: "relay=1"
        );
        try
        {
            await Eventually.WaitUntilAsync(
                async () =>
                {
                    var video = await viewer.VideoAsync();
                    return video.TryGetValue(station!, out var v) && v.FramesDecoded > 0;
                },
                MediaTimeout,
                "the viewer decodes the publisher through the relay"
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
        Assert.Equal("relay", published.Publish);
        Assert.Equal("relay", Assert.Single(watched.Viewers));
    }
}
