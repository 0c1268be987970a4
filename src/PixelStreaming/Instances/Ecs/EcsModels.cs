using System.Text.Json.Serialization;

namespace MobZ.PixelStreaming.Instances.Ecs;

// The request and response shapes of the ECS API (JSON 1.1) that the provider uses, named as AWS documents them
// (RunTask, DescribeTasks, StopTask). Only the members we send or read are modelled.

public sealed record KeyValuePairEntry(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string Value
);

public sealed record ContainerOverride(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("environment")] IReadOnlyList<KeyValuePairEntry> Environment
);

public sealed record TaskOverride(
    [property: JsonPropertyName("containerOverrides")] IReadOnlyList<ContainerOverride> ContainerOverrides
);

public sealed record AwsVpcConfiguration(
    [property: JsonPropertyName("subnets")] IReadOnlyList<string> Subnets,
    [property: JsonPropertyName("securityGroups")] IReadOnlyList<string> SecurityGroups,
    [property: JsonPropertyName("assignPublicIp")] string AssignPublicIp
);

public sealed record NetworkConfiguration(
    [property: JsonPropertyName("awsvpcConfiguration")] AwsVpcConfiguration AwsvpcConfiguration
);

public sealed record Tag(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("value")] string Value
);

public sealed record CapacityProviderStrategyItem(
    [property: JsonPropertyName("capacityProvider")] string CapacityProvider,
    [property: JsonPropertyName("weight")] int Weight
);

// launchType and capacityProviderStrategy exclude each other; networkConfiguration is for awsvpc tasks only.
public sealed record RunTaskRequest(
    [property: JsonPropertyName("cluster")] string Cluster,
    [property: JsonPropertyName("taskDefinition")] string TaskDefinition,
    [property: JsonPropertyName("launchType")] string? LaunchType,
    [property: JsonPropertyName("capacityProviderStrategy")]
        IReadOnlyList<CapacityProviderStrategyItem>? CapacityProviderStrategy,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("startedBy")] string StartedBy,
    [property: JsonPropertyName("networkConfiguration")] NetworkConfiguration? NetworkConfiguration,
    [property: JsonPropertyName("overrides")] TaskOverride Overrides,
    [property: JsonPropertyName("tags")] IReadOnlyList<Tag> Tags
);

public sealed record AttachmentDetail(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("value")] string? Value
);

public sealed record Attachment(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("details")] IReadOnlyList<AttachmentDetail>? Details
);

public sealed record EcsTask(
    [property: JsonPropertyName("taskArn")] string? TaskArn,
    [property: JsonPropertyName("lastStatus")] string? LastStatus,
    [property: JsonPropertyName("stoppedReason")] string? StoppedReason,
    [property: JsonPropertyName("attachments")] IReadOnlyList<Attachment>? Attachments,
    [property: JsonPropertyName("containerInstanceArn")] string? ContainerInstanceArn = null
);

public sealed record Failure(
    [property: JsonPropertyName("arn")] string? Arn,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("detail")] string? Detail
);

public sealed record TasksResponse(
    [property: JsonPropertyName("tasks")] IReadOnlyList<EcsTask>? Tasks,
    [property: JsonPropertyName("failures")] IReadOnlyList<Failure>? Failures
);

public sealed record DescribeTasksRequest(
    [property: JsonPropertyName("cluster")] string Cluster,
    [property: JsonPropertyName("tasks")] IReadOnlyList<string> Tasks
);

public sealed record StopTaskRequest(
    [property: JsonPropertyName("cluster")] string Cluster,
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("reason")] string Reason
);

public sealed record StopTaskResponse([property: JsonPropertyName("task")] EcsTask? Task);

public sealed record DescribeContainerInstancesRequest(
    [property: JsonPropertyName("cluster")] string Cluster,
    [property: JsonPropertyName("containerInstances")] IReadOnlyList<string> ContainerInstances
);

public sealed record ContainerInstance(
    [property: JsonPropertyName("containerInstanceArn")] string? ContainerInstanceArn,
    [property: JsonPropertyName("ec2InstanceId")] string? Ec2InstanceId
);

public sealed record ContainerInstancesResponse(
    [property: JsonPropertyName("containerInstances")] IReadOnlyList<ContainerInstance>? ContainerInstances,
    [property: JsonPropertyName("failures")] IReadOnlyList<Failure>? Failures
);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RunTaskRequest))]
[JsonSerializable(typeof(DescribeContainerInstancesRequest))]
[JsonSerializable(typeof(ContainerInstancesResponse))]
[JsonSerializable(typeof(DescribeTasksRequest))]
[JsonSerializable(typeof(StopTaskRequest))]
[JsonSerializable(typeof(TasksResponse))]
[JsonSerializable(typeof(StopTaskResponse))]
internal sealed partial class EcsJsonContext : JsonSerializerContext;
