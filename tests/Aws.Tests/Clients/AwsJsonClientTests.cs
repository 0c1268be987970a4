using System.Text.Json;
using System.Text.Json.Serialization;
using MobZ.Aws.Clients;
using MobZ.Aws.Credentials;
using MobZ.Aws.Tests.Doubles;

namespace MobZ.Aws.Tests.Clients;

public sealed record DescribeTasksRequest(
    [property: JsonPropertyName("cluster")] string Cluster,
    [property: JsonPropertyName("tasks")] IReadOnlyList<string> Tasks
);

public sealed record DescribeTasksResponse([property: JsonPropertyName("tasks")] IReadOnlyList<EcsTask> Tasks);

public sealed record EcsTask(
    [property: JsonPropertyName("taskArn")] string TaskArn,
    [property: JsonPropertyName("lastStatus")] string LastStatus
);

[JsonSerializable(typeof(DescribeTasksRequest))]
[JsonSerializable(typeof(DescribeTasksResponse))]
public sealed partial class EcsTestJsonContext : JsonSerializerContext;

public sealed class AwsJsonClientTests : IAsyncLifetime
{
    private static readonly AwsCredentials Credentials = new("ASIATASKROLE", "task-secret", "task-token");
    private AwsApiDouble _ecs = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _ecs = await AwsApiDouble.StartAsync(Credentials, "eu-west-1", "ecs");

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _ecs.DisposeAsync();
    }

    private AwsJsonClient Client() =>
        new(
            new SignedRequestSender(_http, new StaticCredentials(Credentials), "eu-west-1", "ecs")
            {
                BaseDelay = TimeSpan.FromMilliseconds(1),
            },
            _ecs.Endpoint,
            AwsJsonClient.EcsTargetPrefix
        );

    [Fact]
    public async Task Operation_is_posted_as_json_1_1_with_target_header_and_valid_signature()
    {
        _ecs.Handle = _ => new AwsApiDouble.Answer(
            200,
            "application/x-amz-json-1.1",
            """{"tasks":[{"taskArn":"arn:t/1","lastStatus":"RUNNING"}],"failures":[]}"""
        );

        var response = await Client()
            .SendAsync(
                "DescribeTasks",
                new DescribeTasksRequest("mobz-munits", ["arn:t/1"]),
                EcsTestJsonContext.Default.DescribeTasksRequest,
                EcsTestJsonContext.Default.DescribeTasksResponse
            );

        Assert.Equal("RUNNING", Assert.Single(response.Tasks).LastStatus);
        var request = Assert.Single(_ecs.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/", request.RawTarget);
        Assert.Equal("AmazonEC2ContainerServiceV20141113.DescribeTasks", request.Headers["x-amz-target"]);
        Assert.Equal("application/x-amz-json-1.1", request.Headers["content-type"]);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("mobz-munits", body.RootElement.GetProperty("cluster").GetString());
    }

    [Fact]
    public async Task Error_document_becomes_an_aws_service_exception_with_the_short_code()
    {
        _ecs.Handle = _ => new AwsApiDouble.Answer(
            400,
            "application/x-amz-json-1.1",
            """{"__type":"com.amazonaws.ecs#ClusterNotFoundException","message":"Cluster not found."}"""
        );

        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            Client()
                .SendAsync(
                    "DescribeTasks",
                    new DescribeTasksRequest("nope", []),
                    EcsTestJsonContext.Default.DescribeTasksRequest,
                    EcsTestJsonContext.Default.DescribeTasksResponse
                )
        );

        Assert.Equal("ClusterNotFoundException", error.ErrorCode);
        Assert.Equal("Cluster not found.", error.Message.Split(": ", 2)[1]);
        Assert.Equal(400, error.StatusCode);
        Assert.Equal("req-1", error.RequestId);
        Assert.Single(_ecs.Requests);
    }

    [Fact]
    public async Task Throttling_is_retried_with_a_fresh_signature()
    {
        var calls = 0;
        _ecs.Handle = _ =>
            Interlocked.Increment(ref calls) == 1
                ? new AwsApiDouble.Answer(
                    400,
                    "application/x-amz-json-1.1",
                    """{"__type":"ThrottlingException","message":"Rate exceeded"}"""
                )
                : new AwsApiDouble.Answer(200, "application/x-amz-json-1.1", """{"tasks":[]}""");

        var response = await Client()
            .SendAsync(
                "DescribeTasks",
                new DescribeTasksRequest("c", []),
                EcsTestJsonContext.Default.DescribeTasksRequest,
                EcsTestJsonContext.Default.DescribeTasksResponse
            );

        Assert.Empty(response.Tasks);
        Assert.Equal(2, _ecs.Requests.Count);
    }

    [Fact]
    public async Task A_request_signed_for_another_service_is_rejected()
    {
        var wrong = new AwsJsonClient(
            new SignedRequestSender(_http, new StaticCredentials(Credentials), "eu-west-1", "ec2"),
            _ecs.Endpoint,
            AwsJsonClient.EcsTargetPrefix
        );

        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            wrong.SendAsync(
                "DescribeTasks",
                new DescribeTasksRequest("c", []),
                EcsTestJsonContext.Default.DescribeTasksRequest,
                EcsTestJsonContext.Default.DescribeTasksResponse
            )
        );

        Assert.Equal("InvalidSignatureException", error.ErrorCode);
        Assert.Empty(_ecs.Requests);
    }
}

internal sealed class StaticCredentials(AwsCredentials credentials) : IAwsCredentialsProvider
{
    public ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(credentials);
}
