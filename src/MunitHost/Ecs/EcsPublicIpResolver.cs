using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using MobZ.Aws.Clients;
using MobZ.Aws.Credentials;

namespace MobZ.MunitHost.Ecs;

/// <summary>
/// Finds the public IPv4 address of the Fargate task this process runs in. The task metadata endpoint names
/// the task but not its public address (Fargate puts that only on the ENI), so: metadata v4 <c>/task</c> →
/// ECS DescribeTasks → the ElasticNetworkInterface attachment's <c>networkInterfaceId</c> → EC2
/// DescribeNetworkInterfaces → <c>association.publicIp</c>. Needs ecs:DescribeTasks and
/// ec2:DescribeNetworkInterfaces on the task role.
/// </summary>
public sealed class EcsPublicIpResolver
{
    public const string MetadataVariable = "ECS_CONTAINER_METADATA_URI_V4";

    /// <summary>The AWS SDKs' service-specific endpoint overrides (VPC endpoints, tests).</summary>
    public const string EcsEndpointVariable = "AWS_ENDPOINT_URL_ECS";
    public const string Ec2EndpointVariable = "AWS_ENDPOINT_URL_EC2";

    private readonly HttpClient _http;
    private readonly Uri _metadata;
    private readonly Func<string, (AwsJsonClient Ecs, Ec2QueryClient Ec2)> _clients;
    private readonly ILogger _logger;

    /// <param name="clients">builds the ECS and EC2 clients for the task's region (known only after the metadata
    /// answers).</param>
    public EcsPublicIpResolver(
        HttpClient http,
        Uri metadataEndpoint,
        Func<string, (AwsJsonClient Ecs, Ec2QueryClient Ec2)> clients,
        ILogger logger
    )
    {
        _http = http;
        _metadata = metadataEndpoint;
        _clients = clients;
        _logger = logger;
    }

    /// <summary>Polling while ECS attaches the ENI and EC2 associates the public IP, which can lag the container
    /// start.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The clock of the polling and its deadline (tests pass a fake one).</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Wires the resolver from the container's environment: metadata URI, region, credentials chain, endpoint
    /// overrides.</summary>
    public static EcsPublicIpResolver FromEnvironment(
        HttpClient http,
        ILoggerFactory loggers,
        Func<string, string?>? getVariable = null
    )
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        var metadata = getVariable(MetadataVariable);
        if (string.IsNullOrEmpty(metadata) || !Uri.TryCreate(metadata, UriKind.Absolute, out var metadataUri))
        {
            throw new EcsDiscoveryException(
                $"{MetadataVariable} is not set: MUNIT_PUBLIC_IP=ecs works only inside an ECS task."
            );
        }

        var credentials = DefaultCredentialsProvider.Create(http, loggers.CreateLogger("MobZ.Aws"), getVariable);
        var ecsOverride = getVariable(EcsEndpointVariable);
        var ec2Override = getVariable(Ec2EndpointVariable);
        var configuredRegion = DefaultCredentialsProvider.RegionFromEnvironment(getVariable);
        return new EcsPublicIpResolver(
            http,
            metadataUri,
            taskRegion =>
            {
                var region = configuredRegion ?? taskRegion;
                var ecs = new AwsJsonClient(
                    new SignedRequestSender(http, credentials, region, "ecs"),
                    string.IsNullOrEmpty(ecsOverride)
                        ? SignedRequestSender.RegionalEndpoint("ecs", region)
                        : new Uri(ecsOverride),
                    AwsJsonClient.EcsTargetPrefix
                );
                var ec2 = new Ec2QueryClient(
                    new SignedRequestSender(http, credentials, region, "ec2"),
                    string.IsNullOrEmpty(ec2Override)
                        ? SignedRequestSender.RegionalEndpoint("ec2", region)
                        : new Uri(ec2Override)
                );
                return (ecs, ec2);
            },
            loggers.CreateLogger<EcsPublicIpResolver>()
        );
    }

    public async Task<EcsTaskAddress> ResolveAsync(CancellationToken cancellationToken = default)
    {
        var task = await ReadTaskMetadataAsync(cancellationToken).ConfigureAwait(false);
        var region = RegionOf(task.TaskArn!)
            ?? throw new EcsDiscoveryException($"cannot read a region from task ARN '{task.TaskArn}'");
        var (ecs, ec2) = _clients(region);
        var deadline = Time.GetUtcNow() + Timeout;
        while (true)
        {
            var described = await ecs.SendAsync(
                    "DescribeTasks",
                    new DescribeTasksRequest(task.Cluster!, [task.TaskArn!]),
                    EcsJsonContext.Default.DescribeTasksRequest,
                    EcsJsonContext.Default.DescribeTasksResponse,
                    cancellationToken
                )
                .ConfigureAwait(false);
            var eni = described
                .Tasks?.FirstOrDefault(t => t.TaskArn == task.TaskArn)
                ?.Attachments?.Where(a => a.Type == "ElasticNetworkInterface")
                .SelectMany(a => a.Details ?? [])
                .FirstOrDefault(d => d.Name == "networkInterfaceId")
                ?.Value;
            if (described.Failures is { Count: > 0 } failures && eni is null)
            {
                throw new EcsDiscoveryException(
                    $"DescribeTasks failed for {task.TaskArn}: {string.Join("; ", failures.Select(f => f.Reason))}"
                );
            }

            if (eni is not null)
            {
                var addresses = await ec2.DescribeNetworkInterfacesAsync([eni], cancellationToken)
                    .ConfigureAwait(false);
                if (
                    addresses.FirstOrDefault(a => a.NetworkInterfaceId == eni)?.PublicIp is { Length: > 0 } ip
                    && IPAddress.TryParse(ip, out _)
                )
                {
                    _logger.LogInformation(
                        "Task {TaskArn} has public IP {PublicIp} on {NetworkInterfaceId}",
                        task.TaskArn,
                        ip,
                        eni
                    );
                    return new EcsTaskAddress(task.TaskArn!, task.Cluster!, eni, ip);
                }
            }
            if (Time.GetUtcNow() + PollInterval > deadline)
            {
                throw new EcsDiscoveryException(
                    eni is null
                        ? $"task {task.TaskArn} has no network interface attachment after {Timeout.TotalSeconds:0} s"
                        : $"network interface {eni} has no public IP after {Timeout.TotalSeconds:0} s (is AssignPublicIp ENABLED?)"
                );
            }

            _logger.LogInformation(
                "Task {TaskArn}: public IP not there yet (ENI {NetworkInterfaceId}); retrying",
                task.TaskArn,
                eni ?? "pending"
            );
            await Task.Delay(PollInterval, Time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<TaskMetadata> ReadTaskMetadataAsync(CancellationToken cancellationToken)
    {
        var uri = new Uri(_metadata.AbsoluteUri.TrimEnd('/') + "/task");
        TaskMetadata? task;
        try
        {
            task = await _http
                .GetFromJsonAsync(uri, EcsJsonContext.Default.TaskMetadata, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException)
        {
            throw new EcsDiscoveryException($"task metadata endpoint {uri} failed: {ex.Message}", ex);
        }
        if (task is null || string.IsNullOrEmpty(task.TaskArn) || string.IsNullOrEmpty(task.Cluster))
            throw new EcsDiscoveryException($"task metadata endpoint {uri} did not name the task and its cluster");
        return task;
    }

    /// <summary>arn:aws:ecs:{region}:{account}:task/... → region.</summary>
    internal static string? RegionOf(string arn)
    {
        var parts = arn.Split(':');
        return parts.Length >= 6 && parts[0] == "arn" && parts[3].Length > 0 ? parts[3] : null;
    }

    /// <summary>The task id, the last ARN path segment: a stable, operator-recognisable Munit id.</summary>
    public static string TaskId(string taskArn) => taskArn[(taskArn.LastIndexOf('/') + 1)..];
}

public sealed record EcsTaskAddress(string TaskArn, string Cluster, string NetworkInterfaceId, string PublicIp);

/// <summary>The task's public address could not be found.</summary>
public sealed class EcsDiscoveryException(string message, Exception? inner = null) : Exception(message, inner);
