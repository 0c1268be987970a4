using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using MobZ.Munit.WebRtc;
using MobZ.TestKit;
using static MobZ.LocalStack.Tests.Observability.LocalStackObservability;

namespace MobZ.LocalStack.Tests.Observability;

/// <summary>
/// Alone in the process while it runs: every stack's Munit meter is named "MobZ.Munit", and OpenTelemetry folds
/// same-named instruments of all those meters into one stream per provider, which ends when any one of them is
/// disposed. Another test's stack shutting down mid-test then froze this stack's drop counter (a clean-clone run
/// waited 30 s for a drop that had happened). One Munit per process, as in production, has no such neighbour.
/// </summary>
[Collection(Name)]
public sealed class MetricsEndpointTests
{
    public const string Name = "metrics endpoint, no other stack in the process";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Metrics_count_a_room_Join_by_action_with_its_latency_and_the_open_rooms_connection()
    {
        await using var stack = await StartAsync();
        using var socket = await ConnectAsync(stack, "/ws");
        await SendAsync(
            socket,
            """{"action":"Join","requestId":"j1","roomId":"metrics-room","roomKind":"m2m","userId":"ann"}"""
        );
        await ReceiveUntilAsync(socket, "\"j1\"");
        await SendAsync(socket, """{"action":"NoSuchThing","requestId":"x1"}""");
        await ReceiveUntilAsync(socket, "\"x1\"");

        string scrape = "";
        await Eventually.WaitUntilAsync(
            async () =>
            {
                scrape = await ScrapeAsync(stack.BaseUrl);
                return Sample(scrape, "mobz_signaling_messages_total", "action=\"Join\"") >= 1
                    && Sample(scrape, "mobz_signaling_errors_total", "action=\"unknown\"", "code=\"UNKNOWN_ACTION\"")
                        >= 1;
            },
            Deadline,
            "the Join and the unknown action are counted at /metrics"
        );

        Assert.True(Sample(scrape, "mobz_signaling_handler_duration_seconds_count", "action=\"Join\"") >= 1, scrape);
        Assert.Equal(1, Sample(scrape, "mobz_gateway_connections", "api=\"mobz-rooms\""));
        // The Munit's series are there from the start, tagged with its id; runtime instruments come with the exporter.
        Assert.NotNull(Sample(scrape, "mobz_munit_stations", "munit=\""));
        Assert.Contains("dotnet_gc_collections_total", scrape);
    }

    [Fact]
    public async Task A_datagram_of_no_known_kind_on_the_media_port_is_counted_as_a_transport_drop_with_its_reason()
    {
        await using var stack = await StartAsync();
        int port = stack.Services.GetRequiredService<WebRtcMedia>().Port;
        // This stack's own series: other tests' stacks in this process export theirs too, each tagged with its Munit.
        string munit = $"munit=\"{stack.Services.GetRequiredService<MobZ.Regulator.Regulator>().MunitId}\"";
        Assert.Equal(
            0,
            Sample(
                await ScrapeAsync(stack.BaseUrl),
                "mobz_munit_transport_dropped_total",
                munit,
                "reason=\"unknown_kind\""
            )
        );

        using var udp = new UdpClient(AddressFamily.InterNetwork);
        // First byte 0xFF is outside every RFC 7983 range (STUN, DTLS, RTP/RTCP). UDP may lose a datagram on a busy
        // machine, so it is sent again on each poll until one is counted.
        int sent = 0;
        await Eventually.WaitUntilAsync(
            async () =>
            {
                if (
                    (
                        Sample(
                            await ScrapeAsync(stack.BaseUrl),
                            "mobz_munit_transport_dropped_total",
                            munit,
                            "reason=\"unknown_kind\""
                        ) ?? 0
                    ) >= 1
                )
                {
                    return true;
                }

                await udp.SendAsync(
                    new byte[] { 0xFF, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 },
                    new IPEndPoint(IPAddress.Loopback, port)
                );
                sent++;
                return false;
            },
            Deadline,
            "the junk datagram shows up as an unknown_kind drop"
        );
        var scrape = await ScrapeAsync(stack.BaseUrl);
        double drops = Sample(scrape, "mobz_munit_transport_dropped_total", munit, "reason=\"unknown_kind\"") ?? 0;
        Assert.InRange(drops, 1, sent); // each counted drop is one of ours, never more than we sent
        Assert.Equal(drops, Sample(scrape, "mobz_munit_transport_datagrams_received_total", munit));
    }
}

[CollectionDefinition(MetricsEndpointTests.Name, DisableParallelization = true)]
public sealed class MetricsEndpointCollection;
