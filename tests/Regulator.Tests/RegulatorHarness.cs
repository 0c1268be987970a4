using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Contracts;
using MobZ.Munit;
using MobZ.Munit.Control;
using MobZ.State;

namespace MobZ.Regulator.Tests;

/// <summary>
/// One Munit with its Regulator on a given backend. It heartbeats often but never expires on its own
/// (<see cref="SteadyOptions"/>): a busy machine can delay a 200 ms heartbeat past any short TTL, and a Munit that
/// seems dead for a moment loses or refuses stations. A test about expiry gives the Munit that is to die
/// <see cref="FastOptions"/>.
/// </summary>
internal sealed class RegulatorHarness : IAsyncDisposable
{
    /// <summary>A 900 ms TTL, for the Munit whose expiry a test is about.</summary>
    public static readonly RegulatorOptions FastOptions = new()
    {
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        AliveTtl = TimeSpan.FromMilliseconds(900),
        ReconcileInterval = TimeSpan.FromMilliseconds(500),
    };

    /// <summary>The same timings with a TTL no test outlasts, for every Munit that must stay alive through a
    /// test.</summary>
    public static readonly RegulatorOptions SteadyOptions = new()
    {
        HeartbeatInterval = FastOptions.HeartbeatInterval,
        AliveTtl = TimeSpan.FromMinutes(10),
        ReconcileInterval = FastOptions.ReconcileInterval,
    };

    private RegulatorHarness(string munitId, IStateBackend backend, RegulatorOptions options, TimeProvider? time)
    {
        MunitId = munitId;
        Backend = backend;
        Media = new RecordingMediaFactory();
        Munit = new MunitServer(new MunitOptions { MunitId = munitId, Port = 40000 }, Media);
        Regulator = new Regulator(
            Munit,
            backend.Store,
            backend.Bus,
            munitId,
            "127.0.0.1",
            40000,
            100,
            options,
            NullLogger<Regulator>.Instance,
            time
        );
    }

    public string MunitId { get; }
    public IStateBackend Backend { get; }
    public RecordingMediaFactory Media { get; }
    public MunitServer Munit { get; }
    public Regulator Regulator { get; }
    public IStateStore Store => Backend.Store;

    public static async Task<RegulatorHarness> StartAsync(
        IStateBackend backend,
        string? munitId = null,
        RegulatorOptions? options = null,
        TimeProvider? time = null
    )
    {
        var h = new RegulatorHarness(
            munitId ?? "m-" + Guid.NewGuid().ToString("N")[..8],
            backend,
            options ?? SteadyOptions,
            time
        );
        await h.Regulator.StartAsync();
        return h;
    }

    /// <summary>Places a station the way signaling does: keys first (one commit), then the Assign nudge.</summary>
    public static async Task PlaceStationAsync(
        IStateBackend backend,
        string munitId,
        string stationId,
        bool publish = true,
        bool hls = false
    )
    {
        string key = MunitKeys.Station(stationId);
        Assert.True(
            await backend
                .Store.CreateTransaction()
                .HashSet(key, StationFields.Munit, munitId)
                .HashSet(key, StationFields.Room, "room-1")
                .HashSet(key, StationFields.Publisher, "pub-" + stationId)
                .HashSet(key, StationFields.RoomKind, hls ? "p2m" : "m2m")
                .HashSet(key, StationFields.Hls, hls ? "true" : "false")
                .SetAdd(MunitKeys.Stations(munitId), stationId)
                .ExecuteAsync()
        );
        if (publish)
        {
            await PublishAsync(
                backend,
                munitId,
                new AssignSignal(stationId, "room-1", "pub-" + stationId, hls ? "p2m" : "m2m", hls)
            );
        }
    }

    public static async Task RemoveStationAsync(
        IStateBackend backend,
        string munitId,
        string stationId,
        bool publish = true
    )
    {
        Assert.True(
            await backend
                .Store.CreateTransaction()
                .Delete(MunitKeys.Station(stationId))
                .SetRemove(MunitKeys.Stations(munitId), stationId)
                .ExecuteAsync()
        );
        if (publish)
            await PublishAsync(backend, munitId, new UnassignSignal(stationId));
    }

    public static Task<long> PublishAsync(IStateBackend backend, string munitId, MunitSignal signal) =>
        backend.Bus.PublishAsync(
            MunitKeys.Channel(munitId),
            System.Text.Json.JsonSerializer.Serialize(signal, ContractsJsonContext.Default.MunitSignal)
        );

    public async ValueTask DisposeAsync()
    {
        await Regulator.DisposeAsync();
        await Munit.DisposeAsync();
    }
}
