using System.Net;
using MobZ.TestKit;
using MobZ.TestKit.Redis;
using static MobZ.LocalStack.Tests.Observability.LocalStackObservability;

namespace MobZ.LocalStack.Tests.Observability;

public sealed class HealthEndpointTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Readyz_is_503_while_Redis_is_stopped_and_200_once_it_is_back_while_healthz_stays_200()
    {
        await using var redis = await RedisServer.StartPrivateAsync();
        await using var stack = await StartAsync(redis.Configuration, redis.NewKeyPrefix());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var ready = new Uri(stack.BaseUrl, "readyz");
        var live = new Uri(stack.BaseUrl, "healthz");

        await Eventually.WaitUntilAsync(
            async () => (await http.GetAsync(ready)).StatusCode == HttpStatusCode.OK,
            Deadline,
            "ready once the Munit has registered"
        );

        await redis.StopAsync();
        string body = "";
        await Eventually.WaitUntilAsync(
            async () =>
            {
                using var response = await http.GetAsync(ready);
                body = await response.Content.ReadAsStringAsync();
                return response.StatusCode == HttpStatusCode.ServiceUnavailable;
            },
            Deadline,
            "not ready while Redis is down"
        );
        Assert.Contains("\"state-backend\":{\"status\":\"unhealthy\"", body);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(live)).StatusCode);

        await redis.StartAgainAsync();
        await Eventually.WaitUntilAsync(
            async () => (await http.GetAsync(ready)).StatusCode == HttpStatusCode.OK,
            Deadline,
            "ready again once Redis is back and the Munit registered again"
        );
    }

    [Fact]
    public async Task Readyz_is_503_while_Redis_is_frozen_and_names_the_failing_check()
    {
        await using var redis = await RedisServer.StartPrivateAsync();
        await using var stack = await StartAsync(redis.Configuration, redis.NewKeyPrefix());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var ready = new Uri(stack.BaseUrl, "readyz");
        await Eventually.WaitUntilAsync(
            async () => (await http.GetAsync(ready)).StatusCode == HttpStatusCode.OK,
            Deadline,
            "ready at first"
        );

        redis.Pause();
        try
        {
            using var response = await http.GetAsync(ready);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains("\"state-backend\":{\"status\":\"unhealthy\"", await response.Content.ReadAsStringAsync());
        }
        finally
        {
            redis.Resume();
        }
        await Eventually.WaitUntilAsync(
            async () => (await http.GetAsync(ready)).StatusCode == HttpStatusCode.OK,
            Deadline,
            "ready after the freeze"
        );
    }
}
