using System.Text.Json.Serialization;

namespace MobZ.PixelStreaming.Instances.Ecs;

// The request and response shapes of the ECS API (JSON 1.1) that the provider uses, named as AWS documents them
// (RunTask, DescribeTasks, StopTask). Only the members we send or read are modelled.

public sealed record KeyValuePairEntry([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("value")] string Value);

public sealed record ContainerOverride(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("environment")] IReadOnlyList<KeyValuePairEntry> Environment);

public sealed record TaskOverride([property: JsonPropertyName("containerOverrides")] IReadOnlyList<ContainerOverride> ContainerOverrides);

public sealed record AwsVpcConfiguration(
    [property: JsonPropertyName("subnets")] IReadOnlyList<string> Subnets,
    [property: JsonPropertyName("securityGroups")] IReadOnlyList<string> SecurityGroups,
    [property: JsonPropertyName("assignPublicIp")] string AssignPublicIp);

public sealed record NetworkConfiguration([property: JsonPropertyName("awsvpcConfiguration")] AwsVpcConfiguration AwsvpcConfiguration);

public sealed record Tag([property: JsonPropertyName("key")] string Key, [property: JsonPropertyName("value")] string Value);

public sealed record RunTaskRequest(
    [property: JsonPropertyName("cluster")] string Cluster,
    [property: JsonPropertyName("taskDefinition")] string TaskDefinition,
    [property: JsonPropertyName("launchType")] string LaunchType,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("startedBy")] string StartedBy,
    [property: JsonPropertyName("networkConfiguration")] NetworkConfiguration NetworkConfiguration,
    [property: JsonPropertyName("overrides")] TaskOverride Overrides,
    [property: JsonPropertyName("tags")] IReadOnlyList<Tag> Tags);

public sealed record AttachmentDetail([property: JsonPropertyName("name")] string? Name, [property: JsonPropertyName("value")] string? Value);

public sealed record Attachment(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("details")] IReadOnlyList<AttachmentDetail>? Details);

public sealed record EcsTask(
    [property: JsonPropertyName("taskArn")] string? TaskArn,
    [property: JsonPropertyName("lastStatus")] string? LastStatus,
    [property: JsonPropertyName("stoppedReason")] string? StoppedReason,
    [property: JsonPropertyName("attachments")] IReadOnlyList<Attachment>? Attachments);

public sealed record Failure(
    [property: JsonPropertyName("arn")] string? Arn,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("detail")] string? Detail);

public sealed record TasksResponse(
    [property: JsonPropertyName("tasks")] IReadOnlyList<EcsTask>? Tasks,
    [property: JsonPropertyName("failures")] IReadOnlyList<Failure>? Failures);

public sealed record DescribeTasksRequest(
    [property: JsonPropertyName("cluster")] string Cluster,
    [property: JsonPropertyName("tasks")] IReadOnlyList<string> Tasks);

public sealed record StopTaskRequest(
    [property: JsonPropertyName("cluster")] string Cluster,
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("reason")] string Reason);

public sealed record StopTaskResponse([property: JsonPropertyName("task")] EcsTask? Task);

[JsonSerializable(typeof(RunTaskRequest))]
[JsonSerializable(typeof(DescribeTasksRequest))]
[JsonSerializable(typeof(StopTaskRequest))]
[JsonSerializable(typeof(TasksResponse))]
[JsonSerializable(typeof(StopTaskResponse))]
internal sealed partial class EcsJsonContext : JsonSerializerContext;
