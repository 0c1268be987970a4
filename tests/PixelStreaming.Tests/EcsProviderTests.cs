using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MobZ.Aws.Clients;
using MobZ.Aws.Credentials;
using MobZ.Aws.Signing;
using MobZ.PixelStreaming.Instances;
using MobZ.PixelStreaming.Instances.Ecs;

namespace MobZ.PixelStreaming.Tests;

/// <summary>
/// The ECS provider against a local HTTP double of ECS and EC2 (AWS itself cannot run here). The double
/// re-verifies every SigV4 signature and checks each body against the documented request shape of
/// RunTask / DescribeTasks / StopTask (JSON 1.1) and DescribeNetworkInterfaces (EC2 Query, 2016-11-15).
/// </summary>
public sealed class EcsProviderTests : IAsyncLifetime
{
    private static readonly AwsCredentials Credentials = new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "session-token-1"
    );
    private const string Region = "eu-west-1";
    private const string TaskArn = "arn:aws:ecs:eu-west-1:123456789012:task/streamers/0123456789abcdef";

    private sealed class FixedCredentials : IAwsCredentialsProvider
    {
        public ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Credentials);
    }

    private sealed record Received(
        string Service,
        string Operation,
        JsonElement? Json,
        IReadOnlyDictionary<string, string> Form
    );

    private WebApplication _double = null!;
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly ConcurrentQueue<string> _problems = new();
    private int _describeCalls;
    private bool _taskStops;
    private bool _gpuHost;
    private Uri _baseUrl = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _double = builder.Build();
        _double.MapPost("/ecs/", HandleEcsAsync);
        _double.MapPost("/ec2/", HandleEc2Async);
        await _double.StartAsync();
        _baseUrl = new Uri(_double.Urls.First());
    }

    public async Task DisposeAsync() => await _double.DisposeAsync();

    private EcsInstanceProvider Provider(bool gpuHosts = false)
    {
        var http = new HttpClient();
        var options = new PixelStreamingOptions();
        options.Ecs.Cluster = "streamers";
        options.Ecs.TaskDefinition = "unreal-streamer:7";
        if (gpuHosts)
        {
            // As resources/signaling.yml configures it: the GPU capacity provider, host networking.
            options.Ecs.CapacityProvider = "mobz-streamer-gpu";
        }
        else
        {
            options.Ecs.Subnets = ["subnet-0a1b", "subnet-0c2d"];
            options.Ecs.SecurityGroups = ["sg-0123"];
        }
        options.WorkerPort = 8081;
        var ecs = new AwsJsonClient(
            new SignedRequestSender(http, new FixedCredentials(), Region, "ecs"),
            new Uri(_baseUrl, "/ecs/"),
            AwsJsonClient.EcsTargetPrefix
        );
        var ec2 = new Ec2QueryClient(
            new SignedRequestSender(http, new FixedCredentials(), Region, "ec2"),
            new Uri(_baseUrl, "/ec2/")
        );
        return new EcsInstanceProvider(ecs, ec2, options, NullLogger<EcsInstanceProvider>.Instance);
    }

    [Fact]
    public async Task Launch_runs_a_fargate_task_and_probes_find_its_interface_s_public_ip()
    {
        var provider = Provider();
        var taskArn = await provider.LaunchAsync("ue-42", CancellationToken.None);
        Assert.Equal(TaskArn, taskArn);
        // Each probe is one look: the interface is not attached yet on the first.
        Assert.Null(await provider.ProbeAsync("ue-42", taskArn, CancellationToken.None));
        var started = await provider.ProbeAsync("ue-42", taskArn, CancellationToken.None);

        Assert.Empty(_problems);
        Assert.NotNull(started);
        Assert.Equal("203.0.113.25", started.PublicIp);
        Assert.Equal(new Uri("http://203.0.113.25:8081/"), started.WorkerUrl);

        var calls = _received.ToArray();
        Assert.Equal(
            ["RunTask", "DescribeTasks", "DescribeTasks", "DescribeNetworkInterfaces"],
            calls.Select(c => c.Operation)
        );

        var run = calls[0].Json!.Value;
        Assert.Equal("streamers", run.GetProperty("cluster").GetString());
        Assert.Equal("unreal-streamer:7", run.GetProperty("taskDefinition").GetString());
        Assert.Equal("FARGATE", run.GetProperty("launchType").GetString());
        Assert.Equal(1, run.GetProperty("count").GetInt32());
        var vpc = run.GetProperty("networkConfiguration").GetProperty("awsvpcConfiguration");
        Assert.Equal(
            ["subnet-0a1b", "subnet-0c2d"],
            vpc.GetProperty("subnets").EnumerateArray().Select(e => e.GetString())
        );
        Assert.Equal(["sg-0123"], vpc.GetProperty("securityGroups").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("ENABLED", vpc.GetProperty("assignPublicIp").GetString());
        var container = run.GetProperty("overrides").GetProperty("containerOverrides")[0];
        Assert.Equal("streamer", container.GetProperty("name").GetString());
        var env = container.GetProperty("environment")[0];
        Assert.Equal(
            ("STREAMER_ID", "ue-42"),
            (env.GetProperty("name").GetString(), env.GetProperty("value").GetString())
        );

        var describe = calls[1].Json!.Value;
        Assert.Equal("streamers", describe.GetProperty("cluster").GetString());
        Assert.Equal([TaskArn], describe.GetProperty("tasks").EnumerateArray().Select(e => e.GetString()));

        var eni = calls[3].Form;
        Assert.Equal("DescribeNetworkInterfaces", eni["Action"]);
        Assert.Equal("2016-11-15", eni["Version"]);
        Assert.Equal("eni-0abc1234", eni["NetworkInterfaceId.1"]);
    }

    [Fact]
    public async Task On_gpu_hosts_the_task_is_placed_by_the_capacity_provider_and_gets_its_host_s_public_ip()
    {
        _gpuHost = true;
        var provider = Provider(gpuHosts: true);
        var taskArn = await provider.LaunchAsync("ue-44", CancellationToken.None);
        // Not placed yet (the Auto Scaling group is still adding a GPU host): no address, nothing else asked.
        Assert.Null(await provider.ProbeAsync("ue-44", taskArn, CancellationToken.None));
        var started = await provider.ProbeAsync("ue-44", taskArn, CancellationToken.None);

        Assert.Empty(_problems);
        Assert.Equal("198.51.100.77", started?.PublicIp);
        Assert.Equal(new Uri("http://198.51.100.77:8081/"), started?.WorkerUrl);
        var calls = _received.ToArray();
        Assert.Equal(
            ["RunTask", "DescribeTasks", "DescribeTasks", "DescribeContainerInstances", "DescribeInstances"],
            calls.Select(c => c.Operation)
        );
        var run = calls[0].Json!.Value;
        Assert.False(run.TryGetProperty("launchType", out _));
        Assert.False(run.TryGetProperty("networkConfiguration", out _));
        var strategy = Assert.Single(run.GetProperty("capacityProviderStrategy").EnumerateArray());
        Assert.Equal("mobz-streamer-gpu", strategy.GetProperty("capacityProvider").GetString());
        Assert.Equal(
            ["container-instance/streamers/9f8e"],
            calls[3].Json!.Value.GetProperty("containerInstances").EnumerateArray().Select(e => e.GetString())
        );
        Assert.Equal("i-0gpu1234", calls[4].Form["InstanceId.1"]);
    }

    [Fact]
    public async Task Without_a_capacity_provider_or_subnets_launch_fails_with_what_is_missing()
    {
        var options = new PixelStreamingOptions();
        options.Ecs.Cluster = "streamers";
        options.Ecs.TaskDefinition = "unreal-streamer:7";
        var http = new HttpClient();
        var provider = new EcsInstanceProvider(
            new AwsJsonClient(
                new SignedRequestSender(http, new FixedCredentials(), Region, "ecs"),
                new Uri(_baseUrl, "/ecs/"),
                AwsJsonClient.EcsTargetPrefix
            ),
            new Ec2QueryClient(
                new SignedRequestSender(http, new FixedCredentials(), Region, "ec2"),
                new Uri(_baseUrl, "/ec2/")
            ),
            options,
            NullLogger<EcsInstanceProvider>.Instance
        );
        var error = await Assert.ThrowsAsync<InstanceProviderException>(() =>
            provider.LaunchAsync("ue-45", CancellationToken.None)
        );
        Assert.Contains("CapacityProvider or Subnets", error.Message);
        Assert.Empty(_received);
    }

    [Fact]
    public async Task Stop_sends_a_signed_stop_task_for_the_task_arn()
    {
        await Provider().StopAsync("ue-42", TaskArn, CancellationToken.None);
        Assert.Empty(_problems);
        var stop = Assert.Single(_received);
        Assert.Equal("StopTask", stop.Operation);
        Assert.Equal("streamers", stop.Json!.Value.GetProperty("cluster").GetString());
        Assert.Equal(TaskArn, stop.Json!.Value.GetProperty("task").GetString());
        Assert.Contains("ue-42", stop.Json!.Value.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_task_that_stops_while_starting_is_reported()
    {
        _taskStops = true;
        var provider = Provider();
        var taskArn = await provider.LaunchAsync("ue-43", CancellationToken.None);
        var error = await Assert.ThrowsAsync<InstanceProviderException>(() =>
            provider.ProbeAsync("ue-43", taskArn, CancellationToken.None)
        );
        Assert.Contains("CannotPullContainerError", error.Message);
        Assert.Empty(_problems);
    }

    private async Task HandleEcsAsync(HttpContext context)
    {
        var body = await ReadAndVerifyAsync(context, "ecs");
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        if (context.Request.ContentType != "application/x-amz-json-1.1")
            _problems.Enqueue($"content-type {context.Request.ContentType}");
        if (!target.StartsWith("AmazonEC2ContainerServiceV20141113.", StringComparison.Ordinal))
            _problems.Enqueue($"target {target}");
        var operation = target[(target.IndexOf('.') + 1)..];
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        CheckShape(operation, root);
        _received.Enqueue(new Received("ecs", operation, root.Clone(), new Dictionary<string, string>()));

        context.Response.ContentType = "application/x-amz-json-1.1";
        var task = operation switch
        {
            "RunTask" =>
                $$$"""{"tasks":[{"taskArn":"{{{TaskArn}}}","lastStatus":"PROVISIONING","attachments":[]}],"failures":[]}""",
            "DescribeTasks" when _gpuHost => Interlocked.Increment(ref _describeCalls) < 2
                ? $$$"""{"tasks":[{"taskArn":"{{{TaskArn}}}","lastStatus":"PROVISIONING","attachments":[]}],"failures":[]}"""
                : $$$"""{"tasks":[{"taskArn":"{{{TaskArn}}}","lastStatus":"PENDING","containerInstanceArn":"container-instance/streamers/9f8e","attachments":[]}],"failures":[]}""",
            "DescribeContainerInstances" =>
                """{"containerInstances":[{"containerInstanceArn":"container-instance/streamers/9f8e","ec2InstanceId":"i-0gpu1234"}],"failures":[]}""",
            "DescribeTasks" when _taskStops =>
                $$$"""{"tasks":[{"taskArn":"{{{TaskArn}}}","lastStatus":"STOPPED","stoppedReason":"CannotPullContainerError: no such image"}],"failures":[]}""",
            // The interface is attached on the second look, as on a real Fargate start.
            "DescribeTasks" => Interlocked.Increment(ref _describeCalls) < 2
                ? $$$"""{"tasks":[{"taskArn":"{{{TaskArn}}}","lastStatus":"PROVISIONING","attachments":[{"type":"ElasticNetworkInterface","status":"PRECREATED","details":[{"name":"subnetId","value":"subnet-0a1b"}]}]}],"failures":[]}"""
                : $$$"""{"tasks":[{"taskArn":"{{{TaskArn}}}","lastStatus":"PENDING","attachments":[{"type":"ElasticNetworkInterface","status":"ATTACHED","details":[{"name":"subnetId","value":"subnet-0a1b"},{"name":"networkInterfaceId","value":"eni-0abc1234"},{"name":"privateIPv4Address","value":"10.0.1.5"}]}]}],"failures":[]}""",
            "StopTask" => $$$"""{"task":{"taskArn":"{{{TaskArn}}}","lastStatus":"RUNNING"}}""",
            _ => null,
        };
        if (task is null)
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync(
                """{"__type":"com.amazonaws.ecs#InvalidParameterException","message":"unknown operation"}"""
            );
            return;
        }
        await context.Response.WriteAsync(task);
    }

    private async Task HandleEc2Async(HttpContext context)
    {
        var body = await ReadAndVerifyAsync(context, "ec2");
        if (
            context.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal)
            != true
        )
        {
            _problems.Enqueue($"ec2 content-type {context.Request.ContentType}");
        }

        var form = body.Split('&')
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1]));
        _received.Enqueue(new Received("ec2", form.GetValueOrDefault("Action") ?? "", null, form));
        context.Response.ContentType = "text/xml;charset=UTF-8";
        if (form.GetValueOrDefault("Action") == "DescribeInstances")
        {
            await context.Response.WriteAsync(
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
                  <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
                  <reservationSet>
                    <item>
                      <reservationId>r-1234567890abcdef0</reservationId>
                      <instancesSet>
                        <item>
                          <instanceId>i-0gpu1234</instanceId>
                          <instanceType>g4dn.xlarge</instanceType>
                          <privateIpAddress>10.40.0.12</privateIpAddress>
                          <ipAddress>198.51.100.77</ipAddress>
                        </item>
                      </instancesSet>
                    </item>
                  </reservationSet>
                </DescribeInstancesResponse>
                """
            );
            return;
        }
        await context.Response.WriteAsync(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <DescribeNetworkInterfacesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
              <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>
              <networkInterfaceSet>
                <item>
                  <networkInterfaceId>eni-0abc1234</networkInterfaceId>
                  <privateIpAddress>10.0.1.5</privateIpAddress>
                  <association><publicIp>203.0.113.25</publicIp><ipOwnerId>amazon</ipOwnerId></association>
                </item>
              </networkInterfaceSet>
            </DescribeNetworkInterfacesResponse>
            """
        );
    }

    /// <summary>Documented members and types of each ECS request (API reference, 2014-11-13); anything else is a
    /// problem.</summary>
    private void CheckShape(string operation, JsonElement root)
    {
        var allowed = operation switch
        {
            "RunTask" => new Dictionary<string, JsonValueKind>
            {
                ["cluster"] = JsonValueKind.String,
                ["taskDefinition"] = JsonValueKind.String,
                ["launchType"] = JsonValueKind.String,
                ["capacityProviderStrategy"] = JsonValueKind.Array,
                ["count"] = JsonValueKind.Number,
                ["startedBy"] = JsonValueKind.String,
                ["networkConfiguration"] = JsonValueKind.Object,
                ["overrides"] = JsonValueKind.Object,
                ["tags"] = JsonValueKind.Array,
                ["group"] = JsonValueKind.String,
                ["platformVersion"] = JsonValueKind.String,
                ["propagateTags"] = JsonValueKind.String,
            },
            "DescribeTasks" => new()
            {
                ["cluster"] = JsonValueKind.String,
                ["tasks"] = JsonValueKind.Array,
                ["include"] = JsonValueKind.Array,
            },
            "StopTask" => new()
            {
                ["cluster"] = JsonValueKind.String,
                ["task"] = JsonValueKind.String,
                ["reason"] = JsonValueKind.String,
            },
            "DescribeContainerInstances" => new()
            {
                ["cluster"] = JsonValueKind.String,
                ["containerInstances"] = JsonValueKind.Array,
                ["include"] = JsonValueKind.Array,
            },
            _ => new Dictionary<string, JsonValueKind>(),
        };
        foreach (var p in root.EnumerateObject())
        {
            if (!allowed.TryGetValue(p.Name, out var kind) || kind != p.Value.ValueKind)
                _problems.Enqueue($"{operation}: unexpected member {p.Name} ({p.Value.ValueKind})");
        }

        var required = operation switch
        {
            "RunTask" => new[] { "taskDefinition" },
            "DescribeTasks" => ["tasks"],
            "StopTask" => ["task"],
            "DescribeContainerInstances" => ["containerInstances"],
            _ => [],
        };
        foreach (var r in required)
        {
            if (!root.TryGetProperty(r, out _))
                _problems.Enqueue($"{operation}: missing {r}");
        }

        if (operation == "RunTask")
        {
            // The API refuses a launch type together with a capacity provider strategy.
            var hasLaunchType = root.TryGetProperty("launchType", out var launchTypeElement);
            if (hasLaunchType == root.TryGetProperty("capacityProviderStrategy", out _))
                _problems.Enqueue("exactly one of launchType and capacityProviderStrategy");
            if (hasLaunchType && launchTypeElement.GetString() is not ("EC2" or "FARGATE" or "EXTERNAL"))
                _problems.Enqueue($"launchType {launchTypeElement}");
            if (
                root.TryGetProperty("networkConfiguration", out var network)
                && network.GetProperty("awsvpcConfiguration").GetProperty("assignPublicIp").GetString()
                    is not ("ENABLED" or "DISABLED")
            )
            {
                _problems.Enqueue("assignPublicIp");
            }

            foreach (var tag in root.GetProperty("tags").EnumerateArray())
            {
                if (!tag.TryGetProperty("key", out _) || !tag.TryGetProperty("value", out _))
                    _problems.Enqueue("tag without key/value");
            }
        }
    }

    /// <summary>Recomputes the SigV4 signature from what arrived on the wire and compares it with the Authorization
    /// header.</summary>
    private async Task<string> ReadAndVerifyAsync(HttpContext context, string service)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var request = context.Request;
        var rawTarget = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget;
        if (
            MobZ.TestKit.Aws.SigV4Verifier.Verify(request, rawTarget, body, Credentials, Region, service) is
            { } rejection
        )
        {
            _problems.Enqueue($"{service}: {rejection}");
        }

        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(body));
        if (request.Headers["x-amz-content-sha256"].ToString() is { Length: > 0 } declared && declared != payloadHash)
            _problems.Enqueue("payload hash mismatch");
        return Encoding.UTF8.GetString(body);
    }
}
