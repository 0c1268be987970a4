using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.Contracts;
using MobZ.Munit.Control;
using MobZ.MunitHost.Configuration;
using MobZ.State;

namespace MobZ.MunitHost.Tests;

/// <summary>The Munit host as ECS runs it, started in this process on loopback, with the helpers the tests drive it
/// by.</summary>
internal sealed class RunningHost : IAsyncDisposable
{
    private readonly IStateBackend _backend;
    private bool _stopped;

    private RunningHost(WebApplication app, IStateBackend backend)
    {
        App = app;
        _backend = backend;
    }

    public WebApplication App { get; }
    public IMunit Munit => App.Services.GetRequiredService<IMunit>();
    public string MunitId => App.Services.GetRequiredService<MobZ.Regulator.Regulator>().MunitId;
    public Uri HttpBase =>
        new(
            App.Services.GetRequiredService<IServer>()
                .Features.GetRequiredFeature<IServerAddressesFeature>()
                .Addresses.First() + "/"
        );

    public static async Task<RunningHost> StartAsync(
        string redis,
        string prefix,
        string publicIp,
        TimeSpan drainTimeout,
        string? munitId = null,
        Func<string, string?>? environment = null,
        Uri? connectionsEndpoint = null,
        Action<ILoggingBuilder>? logging = null,
        string[]? args = null
    )
    {
        var settings = new MunitHostSettings
        {
            Redis = redis,
            RedisPrefix = prefix,
            UdpPort = 0,
            HttpPort = 0,
            BindAddress = "127.0.0.1",
            PublicIp = publicIp,
            MunitId = munitId,
            DrainTimeout = drainTimeout,
            ConnectionsEndpoint = connectionsEndpoint,
        };
        var (app, backend) = await MunitHostApp.BuildAsync(
            settings,
            args,
            getVariable: environment,
            logging: logging ?? (_ => { })
        );
        await app.StartAsync();
        return new RunningHost(app, backend);
    }

    public async Task StopAsync()
    {
        if (_stopped)
            return;
        _stopped = true;
        await App.StopAsync();
    }

    public async Task<HealthSnapshot> GetHealthAsync()
    {
        using var http = new HttpClient();
        return (await http.GetFromJsonAsync<HealthSnapshot>(new Uri(HttpBase, "healthz")))!;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await App.DisposeAsync();
        await _backend.DisposeAsync();
    }
}

internal sealed record HealthSnapshot(
    [property: System.Text.Json.Serialization.JsonPropertyName("munitId")] string MunitId,
    [property: System.Text.Json.Serialization.JsonPropertyName("draining")] bool Draining,
    [property: System.Text.Json.Serialization.JsonPropertyName("stations")] int Stations
);

/// <summary>Places and removes stations the way signaling does: the keys in one commit, then the nudge.</summary>
internal static class Signaling
{
    public static async Task PlaceStationAsync(IStateBackend backend, string munitId, string stationId)
    {
        string key = MunitKeys.Station(stationId);
        Assert.True(
            await backend
                .Store.CreateTransaction()
                .HashSet(key, StationFields.Munit, munitId)
                .HashSet(key, StationFields.Room, "room-" + stationId)
                .HashSet(key, StationFields.Publisher, "pub-" + stationId)
                .HashSet(key, StationFields.RoomKind, "m2m")
                .HashSet(key, StationFields.Hls, "false")
                .SetAdd(MunitKeys.Stations(munitId), stationId)
                .ExecuteAsync()
        );
        await PublishAsync(
            backend,
            munitId,
            new AssignSignal(stationId, "room-" + stationId, "pub-" + stationId, "m2m", false)
        );
    }

    public static async Task RemoveStationAsync(IStateBackend backend, string munitId, string stationId)
    {
        Assert.True(
            await backend
                .Store.CreateTransaction()
                .Delete(MunitKeys.Station(stationId))
                .SetRemove(MunitKeys.Stations(munitId), stationId)
                .ExecuteAsync()
        );
        await PublishAsync(backend, munitId, new UnassignSignal(stationId));
    }

    public static Task<long> PublishAsync(IStateBackend backend, string munitId, MunitSignal signal) =>
        backend.Bus.PublishAsync(
            MunitKeys.Channel(munitId),
            JsonSerializer.Serialize(signal, ContractsJsonContext.Default.MunitSignal)
        );

    public static async Task<bool> IsRegisteredAsync(IStateBackend backend, string munitId) =>
        (await backend.Store.SortedSetRangeByScoreAsync(MunitKeys.Registry)).Any(m => m.Member == munitId);
}
