using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using MobZ.Munit;
using MobZ.Munit.WebRtc;
using MobZ.TestKit;

namespace MobZ.Munit.Tests.WebRtc;

public sealed class MunitMetricsTests
{
    [Fact]
    public async Task Datagrams_dropped_on_the_media_port_are_published_by_reason_on_the_MobZ_Munit_meter()
    {
        using var media = new WebRtcMedia(
            new MunitOptions
            {
                MunitId = "munit-metrics",
                BindAddress = "127.0.0.1",
                Port = 0,
            }
        );
        using var attacker = new UdpClient(AddressFamily.InterNetwork);
        var port = new IPEndPoint(IPAddress.Loopback, media.Port);
        for (int i = 0; i < 3; i++)
            await attacker.SendAsync(new byte[] { 0xFF, 1, 2, 3 }, port); // no RFC 7983 kind
        await Eventually.WaitUntilAsync(
            () => media.Workers[0].Transport.Counters.UnknownKind >= 3,
            TimeSpan.FromSeconds(10),
            "the port saw the garbage"
        );

        using var metrics = new MobZ.Munit.Control.MunitMetrics(
            "munit-metrics",
            media.Workers[0].Engine.Forwarder.Totals,
            media.Workers[0].Transport.Counters,
            () => media.Workers[0].Transport.PeerCount,
            () => default
        );
        var dropped = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "MobZ.Munit")
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>(
            (instrument, value, tags, _) =>
            {
                if (instrument.Name != "mobz.munit.transport.dropped")
                    return;
                // Other Munits in this process publish theirs on the same meter name, each under its own tag.
                string? munit = null,
                    reason = null;
                foreach (var tag in tags)
                {
                    if (tag.Key == "munit")
                        munit = (string?)tag.Value;
                    else if (tag.Key == "reason")
                        reason = (string?)tag.Value;
                }

                if (munit == "munit-metrics" && reason is not null)
                    dropped[reason] = value;
            }
        );
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.True(
            dropped.GetValueOrDefault("unknown_kind") >= 3,
            $"unknown_kind = {dropped.GetValueOrDefault("unknown_kind")}"
        );
        Assert.Contains("dtls_unauthenticated", dropped.Keys);
    }
}
