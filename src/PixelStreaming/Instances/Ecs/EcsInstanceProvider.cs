using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.Aws.Clients;
using MobZ.Aws.Credentials;

namespace MobZ.PixelStreaming.Instances.Ecs;

/// <summary>
/// Streaming instances as ECS tasks (Fargate by default): RunTask with the instance id in the container's
/// STREAMER_ID, DescribeTasks until the task's network interface is attached, EC2 DescribeNetworkInterfaces
/// for its public address; StopTask to end it. All calls SigV4-signed through src/Aws.
/// </summary>
public sealed class EcsInstanceProvider(AwsJsonClient ecs, Ec2QueryClient ec2, PixelStreamingOptions options, TimeProvider time, ILogger<EcsInstanceProvider> logger) : IInstanceProvider
{
    public const string StreamerIdVariable = "STREAMER_ID";
    public const string StartedBy = "mobz-pixel-streaming";

    public string Name => "ecs";

    public static EcsInstanceProvider Create(IServiceProvider services)
    {
        var options = services.GetRequiredService<PixelStreamingOptions>();
        var loggers = services.GetRequiredService<ILoggerFactory>();
        var http = new HttpClient();
        var credentials = DefaultCredentialsProvider.Create(http, loggers.CreateLogger("MobZ.Aws"));
        var region = DefaultCredentialsProvider.RegionFromEnvironment() ?? options.Ecs.Region;
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var ecs = new AwsJsonClient(new SignedRequestSender(http, credentials, region, "ecs", time),
            options.Ecs.EcsEndpoint ?? SignedRequestSender.RegionalEndpoint("ecs", region), AwsJsonClient.EcsTargetPrefix);
        var ec2 = new Ec2QueryClient(new SignedRequestSender(http, credentials, region, "ec2", time),
            options.Ecs.Ec2Endpoint ?? SignedRequestSender.RegionalEndpoint("ec2", region));
        return new EcsInstanceProvider(ecs, ec2, options, time, loggers.CreateLogger<EcsInstanceProvider>());
    }

    public async Task<StartedInstance> StartAsync(string instanceId, CancellationToken cancellationToken)
    {
        var o = options.Ecs;
        if (o.Cluster.Length == 0 || o.TaskDefinition.Length == 0 || o.Subnets.Count == 0)
            throw new InstanceProviderException("the ecs provider needs PixelStreaming:Ecs:Cluster, TaskDefinition and Subnets");

        var run = await CallAsync(() => ecs.SendAsync("RunTask", new RunTaskRequest(
            o.Cluster, o.TaskDefinition, o.LaunchType, 1, StartedBy,
            new NetworkConfiguration(new AwsVpcConfiguration(o.Subnets, o.SecurityGroups, "ENABLED")),
            new TaskOverride([new ContainerOverride(o.ContainerName, [new KeyValuePairEntry(StreamerIdVariable, instanceId)])]),
            [new Tag("mobz:instance", instanceId)]),
            EcsJsonContext.Default.RunTaskRequest, EcsJsonContext.Default.TasksResponse, cancellationToken), "RunTask");
        var taskArn = run.Tasks?.FirstOrDefault()?.TaskArn
            ?? throw new InstanceProviderException($"RunTask started nothing: {string.Join("; ", run.Failures?.Select(f => $"{f.Arn} {f.Reason} {f.Detail}") ?? [])}");
        logger.LogInformation("ECS task {TaskArn} started for instance {InstanceId}", taskArn, instanceId);

        try
        {
            var ip = await WaitForPublicIpAsync(taskArn, cancellationToken);
            return new StartedInstance(ip, new Uri($"http://{ip}:{options.WorkerPort}/"), taskArn);
        }
        catch
        {
            // Never leave a task running that nobody will find again.
            await StopAsync(instanceId, taskArn, CancellationToken.None);
            throw;
        }
    }

    public async Task StopAsync(string instanceId, string providerRef, CancellationToken cancellationToken)
    {
        await CallAsync(() => ecs.SendAsync("StopTask", new StopTaskRequest(options.Ecs.Cluster, providerRef, $"instance {instanceId} deleted"),
            EcsJsonContext.Default.StopTaskRequest, EcsJsonContext.Default.StopTaskResponse, cancellationToken), "StopTask");
        logger.LogInformation("ECS task {TaskArn} of instance {InstanceId} stopped", providerRef, instanceId);
    }

    private async Task<string> WaitForPublicIpAsync(string taskArn, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + options.Ecs.StartTimeout;
        while (true)
        {
            var described = await CallAsync(() => ecs.SendAsync("DescribeTasks", new DescribeTasksRequest(options.Ecs.Cluster, [taskArn]),
                EcsJsonContext.Default.DescribeTasksRequest, EcsJsonContext.Default.TasksResponse, cancellationToken), "DescribeTasks");
            var task = described.Tasks?.FirstOrDefault(t => t.TaskArn == taskArn);
            if (task?.LastStatus is "STOPPED" or "DEPROVISIONING")
                throw new InstanceProviderException($"task {taskArn} stopped while starting: {task.StoppedReason}");
            var eni = task?.Attachments?.Where(a => a.Type == "ElasticNetworkInterface")
                .SelectMany(a => a.Details ?? []).FirstOrDefault(d => d.Name == "networkInterfaceId")?.Value;
            if (eni is not null)
            {
                var addresses = await CallAsync(() => ec2.DescribeNetworkInterfacesAsync([eni], cancellationToken), "DescribeNetworkInterfaces");
                if (addresses.FirstOrDefault(a => a.NetworkInterfaceId == eni)?.PublicIp is { Length: > 0 } ip) return ip;
            }
            if (time.GetUtcNow() + options.Ecs.PollInterval > deadline)
                throw new InstanceProviderException($"task {taskArn} got no public address within {options.Ecs.StartTimeout}");
            await Task.Delay(options.Ecs.PollInterval, time, cancellationToken);
        }
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
