using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.Aws.Clients;
using MobZ.Aws.Credentials;

namespace MobZ.PixelStreaming.Instances.Ecs;

/// <summary>
/// Streaming instances as ECS tasks: RunTask with the instance id in the container's STREAMER_ID, placed
/// through the GPU capacity provider (or on Fargate with a launch type and subnets); each probe is one
/// DescribeTasks plus the lookup of the task's public address (its network interface on Fargate, its EC2
/// host in host network mode); StopTask to end it. All calls SigV4-signed through src/Aws.
/// </summary>
public sealed class EcsInstanceProvider(
    AwsJsonClient ecs,
    Ec2QueryClient ec2,
    PixelStreamingOptions options,
    ILogger<EcsInstanceProvider> logger
) : IInstanceProvider
{
    public const string StreamerIdVariable = "STREAMER_ID";
    public const string StartedBy = "mobz-pixel-streaming";

    public const string ProviderName = "ecs";

    public string Name => ProviderName;

    public static EcsInstanceProvider Create(IServiceProvider services)
    {
        var options = services.GetRequiredService<PixelStreamingOptions>();
        var loggers = services.GetRequiredService<ILoggerFactory>();
        var http = new HttpClient();
        var credentials = DefaultCredentialsProvider.Create(http, loggers.CreateLogger("MobZ.Aws"));
        var region = DefaultCredentialsProvider.RegionFromEnvironment() ?? options.Ecs.Region;
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var ecs = new AwsJsonClient(
            new SignedRequestSender(http, credentials, region, "ecs", time),
            options.Ecs.EcsEndpoint ?? SignedRequestSender.RegionalEndpoint("ecs", region),
            AwsJsonClient.EcsTargetPrefix
        );
        var ec2 = new Ec2QueryClient(
            new SignedRequestSender(http, credentials, region, "ec2", time),
            options.Ecs.Ec2Endpoint ?? SignedRequestSender.RegionalEndpoint("ec2", region)
        );
        return new EcsInstanceProvider(ecs, ec2, options, loggers.CreateLogger<EcsInstanceProvider>());
    }

    public async Task<string> LaunchAsync(string instanceId, CancellationToken cancellationToken)
    {
        var o = options.Ecs;
        var gpuHosts = !string.IsNullOrEmpty(o.CapacityProvider);
        if (o.Cluster.Length == 0 || o.TaskDefinition.Length == 0 || (!gpuHosts && o.Subnets.Count == 0))
        {
            throw new InstanceProviderException(
                "the ecs provider needs PixelStreaming:Ecs:Cluster, TaskDefinition, and CapacityProvider or Subnets"
            );
        }

        var run = await CallAsync(
            () =>
                ecs.SendAsync(
                    "RunTask",
                    new RunTaskRequest(
                        o.Cluster,
                        o.TaskDefinition,
                        gpuHosts ? null : o.LaunchType,
                        gpuHosts ? [new CapacityProviderStrategyItem(o.CapacityProvider!, 1)] : null,
                        1,
                        StartedBy,
                        o.Subnets.Count > 0
                            ? new NetworkConfiguration(
                                new AwsVpcConfiguration(o.Subnets, o.SecurityGroups, gpuHosts ? "DISABLED" : "ENABLED")
                            )
                            : null,
                        new TaskOverride([
                            new ContainerOverride(
                                o.ContainerName,
                                [new KeyValuePairEntry(StreamerIdVariable, instanceId)]
                            ),
                        ]),
                        [new Tag("mobz:instance", instanceId)]
                    ),
                    EcsJsonContext.Default.RunTaskRequest,
                    EcsJsonContext.Default.TasksResponse,
                    cancellationToken
                ),
            "RunTask"
        );
        var taskArn = run.Tasks?.FirstOrDefault()?.TaskArn
            ?? throw new InstanceProviderException(
                $"RunTask started nothing: {string.Join("; ", run.Failures?.Select(f => $"{f.Arn} {f.Reason} {f.Detail}") ?? [])}"
            );
        logger.LogInformation("ECS task {TaskArn} started for instance {InstanceId}", taskArn, instanceId);
        return taskArn;
    }

    /// <summary>
    /// The task's public address: on Fargate (awsvpc) that of its network interface; on the GPU hosts (host
    /// network mode) that of the EC2 instance it was placed on. Null until the task has either.
    /// </summary>
    public async Task<StartedInstance?> ProbeAsync(
        string instanceId,
        string providerRef,
        CancellationToken cancellationToken
    )
    {
        var described = await CallAsync(
            () =>
                ecs.SendAsync(
                    "DescribeTasks",
                    new DescribeTasksRequest(options.Ecs.Cluster, [providerRef]),
                    EcsJsonContext.Default.DescribeTasksRequest,
                    EcsJsonContext.Default.TasksResponse,
                    cancellationToken
                ),
            "DescribeTasks"
        );
        var task = described.Tasks?.FirstOrDefault(t => t.TaskArn == providerRef)
            ?? throw new InstanceProviderException($"task {providerRef} is gone");
        if (task.LastStatus is "STOPPED" or "DEPROVISIONING" or "STOPPING")
            throw new InstanceProviderException($"task {providerRef} stopped while starting: {task.StoppedReason}");

        var ip = await PublicIpOfInterfaceAsync(task, cancellationToken)
            ?? await PublicIpOfHostAsync(task, cancellationToken);
        return ip is null ? null : new StartedInstance(ip, new Uri($"http://{ip}:{options.WorkerPort}/"));
    }

    public async Task StopAsync(string instanceId, string providerRef, CancellationToken cancellationToken)
    {
        await CallAsync(
            () =>
                ecs.SendAsync(
                    "StopTask",
                    new StopTaskRequest(options.Ecs.Cluster, providerRef, $"instance {instanceId} deleted"),
                    EcsJsonContext.Default.StopTaskRequest,
                    EcsJsonContext.Default.StopTaskResponse,
                    cancellationToken
                ),
            "StopTask"
        );
        logger.LogInformation("ECS task {TaskArn} of instance {InstanceId} stopped", providerRef, instanceId);
    }

    private async Task<string?> PublicIpOfInterfaceAsync(EcsTask task, CancellationToken cancellationToken)
    {
        var eni = task
            .Attachments?.Where(a => a.Type == "ElasticNetworkInterface")
            .SelectMany(a => a.Details ?? [])
            .FirstOrDefault(d => d.Name == "networkInterfaceId")
            ?.Value;
        if (eni is null)
            return null;
        var addresses = await CallAsync(
            () => ec2.DescribeNetworkInterfacesAsync([eni], cancellationToken),
            "DescribeNetworkInterfaces"
        );
        return addresses.FirstOrDefault(a => a.NetworkInterfaceId == eni)?.PublicIp is { Length: > 0 } ip ? ip : null;
    }

    // A task waiting for a GPU host to scale out has no container instance yet.
    private async Task<string?> PublicIpOfHostAsync(EcsTask task, CancellationToken cancellationToken)
    {
        if (task.ContainerInstanceArn is not { Length: > 0 } containerInstance)
            return null;
        var described = await CallAsync(
            () =>
                ecs.SendAsync(
                    "DescribeContainerInstances",
                    new DescribeContainerInstancesRequest(options.Ecs.Cluster, [containerInstance]),
                    EcsJsonContext.Default.DescribeContainerInstancesRequest,
                    EcsJsonContext.Default.ContainerInstancesResponse,
                    cancellationToken
                ),
            "DescribeContainerInstances"
        );
        var ec2Id = described
            .ContainerInstances?.FirstOrDefault(c => c.ContainerInstanceArn == containerInstance)
            ?.Ec2InstanceId;
        if (ec2Id is null)
            return null;
        var hosts = await CallAsync(() => ec2.DescribeInstancesAsync([ec2Id], cancellationToken), "DescribeInstances");
        return hosts.FirstOrDefault(h => h.InstanceId == ec2Id)?.PublicIp is { Length: > 0 } ip ? ip : null;
    }

    private static async Task<T> CallAsync<T>(Func<Task<T>> call, string operation)
    {
        try
        {
            return await call();
        }
        catch (AwsServiceException e)
        {
            throw new InstanceProviderException($"{operation} failed: {e.ErrorCode} {e.Message}", e);
        }
        catch (HttpRequestException e)
        {
            throw new InstanceProviderException($"{operation} failed: {e.Message}", e);
        }
    }
}
