using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MobZ.Access;
using MobZ.Aws.Credentials;
using MobZ.Contracts;
using MobZ.Signaling.Rooms;
using MobZ.Signaling.Rooms.Media;
using MobZ.Signaling.Rooms.State;
using MobZ.TestKit;
using MobZ.TestKit.Aws;
using MobZ.TestKit.Logging;
using MobZ.TestKit.Redis;
using Xunit.Abstractions;

namespace MobZ.MunitHost.Tests;

/// <summary>
/// On AWS the Munit tasks tell clients that their station moved (Lambdas cannot hold the subscription): through
/// the rooms API's @connections endpoint, SigV4-signed with the task's credentials (checked by a double that
/// accepts only what AWS documents). Two tasks hear the same move; each client is told once.
/// </summary>
public sealed class StationMoveRelayTests(RedisServer redis, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly AwsCredentials Credentials = new("AKIDMUNITTASK", "task-secret", "task-session-token");

    [Fact]
    public async Task A_stopping_task_hands_its_station_over_and_each_client_hears_StationMoved_once()
    {
        await using var api = await ManagementApiDouble.StartAsync(Credentials, region: "eu-west-1", stage: "prod");
        string publisher = "pub-" + Guid.NewGuid().ToString("N")[..6] + "=";
        string viewer = "view-" + Guid.NewGuid().ToString("N")[..6] + "=";
        api.Connections[publisher] = new();
        api.Connections[viewer] = new();
        Func<string, string?> environment = name =>
            name switch
            {
                "AWS_ACCESS_KEY_ID" => Credentials.AccessKeyId,
                "AWS_SECRET_ACCESS_KEY" => Credentials.SecretAccessKey,
                "AWS_SESSION_TOKEN" => Credentials.SessionToken,
                "AWS_REGION" => "eu-west-1",
                _ => null,
            };

        var prefix = redis.NewKeyPrefix();
        await using var backend = await redis.CreateBackendAsync(prefix);
        await using var leaving = await RunningHost.StartAsync(
            redis.Configuration,
            prefix,
            "203.0.113.1",
            TimeSpan.FromSeconds(1),
            munitId: "munit-leaving",
            environment: environment,
            connectionsEndpoint: api.Endpoint,
            logging: TestOutputLogging.To(output, "leaving")
        );
        // The leaving task is the only Munit when the publisher joins, so its station is placed there.
        await Eventually.WaitUntilAsync(
            () => Signaling.IsRegisteredAsync(backend, "munit-leaving"),
            Wait,
            "the leaving Munit registered"
        );

        // A room as the signaling functions write it: a publisher whose station runs on the leaving task, a viewer.
        var rooms = leaving.App.Services.GetRequiredService<RoomRepository>();
        var joined = await rooms.JoinAsync(
            publisher,
            "relayed",
            RoomKind.M2m,
            ParticipantTypes.Publisher,
            new ParticipantEntry(),
            AccessGrants.Everything
        );
        await rooms.JoinAsync(
            viewer,
            "relayed",
            RoomKind.M2m,
            ParticipantTypes.Viewer,
            new ParticipantEntry(),
            AccessGrants.Everything
        );
        string stationId = joined.Entry.StationId!;
        await Eventually.WaitUntilAsync(
            () => leaving.Munit.HasStation(stationId),
            Wait,
            "the station runs on the leaving task"
        );

        await using var staying = await RunningHost.StartAsync(
            redis.Configuration,
            prefix,
            "203.0.113.2",
            TimeSpan.FromSeconds(20),
            munitId: "munit-staying",
            environment: environment,
            connectionsEndpoint: api.Endpoint,
            logging: TestOutputLogging.To(output, "staying")
        );
        await Eventually.WaitUntilAsync(
            () => Signaling.IsRegisteredAsync(backend, "munit-staying"),
            Wait,
            "the staying Munit registered"
        );

        await leaving.StopAsync().WaitAsync(Wait);

        Assert.Equal(
            "munit-staying",
            await backend.Store.HashGetAsync(MunitKeys.Station(stationId), StationFields.Munit)
        );
        foreach (var connection in new[] { publisher, viewer })
        {
            await Eventually.WaitUntilAsync(() => !api.Connections[connection].IsEmpty, Wait, $"{connection} was told");
            using var notice = JsonDocument.Parse(Encoding.UTF8.GetString(Assert.Single(api.Connections[connection])));
            Assert.Equal("StationMoved", notice.RootElement.GetProperty("action").GetString());
            Assert.Equal(stationId, notice.RootElement.GetProperty("stationId").GetString());
            Assert.Equal(publisher, notice.RootElement.GetProperty("publisherId").GetString());
            Assert.Equal(StationsMovedEvent.Handover, notice.RootElement.GetProperty("reason").GetString());
        }
        Assert.All(api.Received, r => Assert.Null(r.Rejection));
    }
}
