using System.Text.Json.Serialization;

namespace MobZ.MunitHost.Ecs;

/// <summary>The fields MobZ reads from the task metadata endpoint v4's <c>/task</c> document.</summary>
internal sealed record TaskMetadata(
    [property: JsonPropertyName("Cluster")] string? Cluster,
    [property: JsonPropertyName("TaskARN")] string? TaskArn,
    [property: JsonPropertyName("AvailabilityZone")] string? AvailabilityZone
);

internal sealed record DescribeTasksRequest(
    [property: JsonPropertyName("cluster")] string Cluster,
    [property: JsonPropertyName("tasks")] IReadOnlyList<string> Tasks
);

internal sealed record DescribeTasksResponse(
    [property: JsonPropertyName("tasks")] IReadOnlyList<DescribedTask>? Tasks,
    [property: JsonPropertyName("failures")] IReadOnlyList<DescribeFailure>? Failures
);

internal sealed record DescribedTask(
    [property: JsonPropertyName("taskArn")] string? TaskArn,
    [property: JsonPropertyName("attachments")] IReadOnlyList<TaskAttachment>? Attachments
);

internal sealed record TaskAttachment(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("details")] IReadOnlyList<AttachmentDetail>? Details
);

internal sealed record AttachmentDetail(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("value")] string? Value
);

internal sealed record DescribeFailure(
    [property: JsonPropertyName("arn")] string? Arn,
    [property: JsonPropertyName("reason")] string? Reason
);

[JsonSerializable(typeof(TaskMetadata))]
[JsonSerializable(typeof(DescribeTasksRequest))]
[JsonSerializable(typeof(DescribeTasksResponse))]
internal sealed partial class EcsJsonContext : JsonSerializerContext;
