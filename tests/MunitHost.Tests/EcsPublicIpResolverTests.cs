using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.MunitHost.Ecs;
using MobZ.TestKit;
using MobZ.TestKit.Time;

namespace MobZ.MunitHost.Tests;

public sealed class EcsPublicIpResolverTests
{
    private static EcsPublicIpResolver Resolver(EcsApiDouble aws, HttpClient http)
    {
        var resolver = EcsPublicIpResolver.FromEnvironment(http, NullLoggerFactory.Instance, aws.Environment);
        resolver.PollInterval = TimeSpan.FromMilliseconds(20);
        resolver.Timeout = TimeSpan.FromSeconds(5);
        return resolver;
    }

    [Fact]
    public async Task Finds_the_public_ip_through_task_metadata_DescribeTasks_and_DescribeNetworkInterfaces()
    {
        await using var aws = await EcsApiDouble.StartAsync();
        using var http = new HttpClient();

        var address = await Resolver(aws, http).ResolveAsync();

        Assert.Empty(aws.Rejections);
        Assert.Equal(
            new EcsTaskAddress(
                EcsApiDouble.TaskArn,
                EcsApiDouble.ClusterArn,
                EcsApiDouble.NetworkInterfaceId,
                "198.51.100.23"
            ),
            address
        );

        var ecs = Assert.Single(aws.Requests, r => r.Service == "ecs");
        Assert.Equal("POST", ecs.Method);
        Assert.Equal("AmazonEC2ContainerServiceV20141113.DescribeTasks", ecs.Headers["x-amz-target"]);
        Assert.Equal("application/x-amz-json-1.1", ecs.Headers["content-type"]);
        using (var body = JsonDocument.Parse(ecs.Body))
        {
            Assert.Equal(EcsApiDouble.ClusterArn, body.RootElement.GetProperty("cluster").GetString());
            Assert.Equal(
                [EcsApiDouble.TaskArn],
                body.RootElement.GetProperty("tasks").EnumerateArray().Select(e => e.GetString())
            );
        }

        var ec2 = Assert.Single(aws.Requests, r => r.Service == "ec2");
        Assert.Equal("POST", ec2.Method);
        Assert.StartsWith("application/x-www-form-urlencoded", ec2.Headers["content-type"], StringComparison.Ordinal);
        var form = ec2
            .Body.Split('&')
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        Assert.Equal("DescribeNetworkInterfaces", form["Action"]);
        Assert.Equal("2016-11-15", form["Version"]);
        Assert.Equal(EcsApiDouble.NetworkInterfaceId, form["NetworkInterfaceId.1"]);
    }

    [Fact]
    public async Task Keeps_asking_ECS_while_the_network_interface_is_not_attached_yet()
    {
        await using var aws = await EcsApiDouble.StartAsync();
        aws.PendingDescribes = 3;
        using var http = new HttpClient();

        var address = await Resolver(aws, http).ResolveAsync();

        Assert.Equal("198.51.100.23", address.PublicIp);
        Assert.Equal(4, aws.Requests.Count(r => r.Service == "ecs"));
        Assert.Single(aws.Requests, r => r.Service == "ec2");
    }

    [Fact]
    public async Task Fails_with_a_clear_reason_when_the_task_has_no_public_ip_by_its_deadline()
    {
        await using var aws = await EcsApiDouble.StartAsync();
        aws.PublicIp = null;
        using var http = new HttpClient();
        var time = new TimerCountingTimeProvider();
        var resolver = EcsPublicIpResolver.FromEnvironment(http, NullLoggerFactory.Instance, aws.Environment);
        resolver.Time = time;
        resolver.PollInterval = TimeSpan.FromSeconds(1);
        resolver.Timeout = TimeSpan.FromSeconds(10);

        var resolving = resolver.ResolveAsync();
        while (!resolving.IsCompleted)
        {
            // Each poll waits on the fake clock; move it one interval once the resolver waits, never before.
            await Eventually.WaitUntilAsync(
                () => time.LiveTimers > 0 || resolving.IsCompleted,
                TimeSpan.FromSeconds(30),
                "the resolver waits for its next poll or gave up"
            );
            if (!resolving.IsCompleted)
                time.Advance(resolver.PollInterval);
        }
        var error = await Assert.ThrowsAsync<EcsDiscoveryException>(() => resolving);

        Assert.Contains(EcsApiDouble.NetworkInterfaceId, error.Message, StringComparison.Ordinal);
        Assert.Contains("AssignPublicIp", error.Message, StringComparison.Ordinal);
        // Polls at 0, 1, … 10 s of the fake clock; the one at 10 s is the last that fits in the timeout.
        Assert.Equal(11, aws.Requests.Count(r => r.Service == "ecs"));
    }

    [Fact]
    public void Refuses_to_run_outside_ECS()
    {
        using var http = new HttpClient();
        var error = Assert.Throws<EcsDiscoveryException>(() =>
            EcsPublicIpResolver.FromEnvironment(http, NullLoggerFactory.Instance, _ => null)
        );
        Assert.Contains("ECS_CONTAINER_METADATA_URI_V4", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("arn:aws:ecs:eu-west-1:123456789012:task/c/abc", "eu-west-1")]
    [InlineData("arn:aws-cn:ecs:cn-north-1:123456789012:task/c/abc", "cn-north-1")]
    [InlineData("arn:aws:ecs::123456789012:task/abc", null)]
    [InlineData("task/abc", null)]
    public void Reads_the_region_from_a_task_arn(string arn, string? region) =>
        Assert.Equal(region, EcsPublicIpResolver.RegionOf(arn));
}
