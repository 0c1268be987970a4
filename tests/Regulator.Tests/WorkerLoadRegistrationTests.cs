using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Contracts;
using MobZ.Munit;
using MobZ.Munit.Control;
using MobZ.Munit.WebRtc;
using MobZ.State;
using MobZ.TestKit;

namespace MobZ.Regulator.Tests;

/// <summary>The Regulator registers each media worker's load beside the Munit's, so an operator (and placement) sees
/// a Munit whose rooms crowd one worker.</summary>
public sealed class WorkerLoadRegistrationTests
{
    [Fact]
    public async Task The_registration_carries_each_workers_port_and_stations()
    {
        await using var backend = await StateBackend.CreateAsync(null, NullLoggerFactory.Instance);
        var options = new MunitOptions
        {
            MunitId = "munit-workers",
            BindAddress = "127.0.0.1",
            Port = 0,
            TcpPort = 0,
            Workers = 2,
        };
        using var media = new WebRtcMedia(options);
        await using var munit = new MunitServer(options, media);
        Assert.True(munit.CreateStation(new StationDescriptor("st-a", "room-a", "pub-a", "m2m", false)));
        Assert.True(munit.CreateStation(new StationDescriptor("st-b", "room-a", "pub-b", "m2m", false)));
        Assert.True(munit.CreateStation(new StationDescriptor("st-c", "room-c", "pub-c", "m2m", false)));
        await using var regulator = new Regulator(
            munit,
            backend.Store,
            backend.Bus,
            options.MunitId,
            "127.0.0.1",
            media.Port,
            100,
            RegulatorHarness.SteadyOptions,
            NullLogger<Regulator>.Instance
        );

        await regulator.StartAsync();

        string? workers = null;
        await Eventually.WaitUntilAsync(
            async () =>
                (workers = await backend.Store.HashGetAsync(MunitKeys.Info(options.MunitId), MunitInfoFields.Workers))
                    is not null,
            TimeSpan.FromSeconds(30),
            "the Munit registered"
        );
        var entries = workers!.Split(',').Select(e => e.Split(':')).ToArray();
        Assert.Equal(2, entries.Length);
        Assert.Equal(["0", media.Workers[0].Port.ToString(), "2"], [entries[0][0], entries[0][1], entries[0][3]]);
        Assert.Equal(["1", media.Workers[1].Port.ToString(), "1"], [entries[1][0], entries[1][1], entries[1][3]]);
    }
}
