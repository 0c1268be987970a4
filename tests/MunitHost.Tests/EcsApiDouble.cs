using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MobZ.Aws.Credentials;
using MobZ.Aws.Signing;

namespace MobZ.MunitHost.Tests;

/// <summary>
/// What a Fargate task talks to when it looks for its public IP (AWS cannot run here): the task metadata
/// endpoint v4, the container credentials endpoint, and regional ECS and EC2 endpoints. The AWS endpoints
/// answer 403 unless the request carries a SigV4 signature that recomputes with the task role's keys for the
/// right region and service and includes the session token, as AWS's front end would; every accepted request
/// is recorded so tests can check it against the documented request format.
/// </summary>
internal sealed class EcsApiDouble : IAsyncDisposable
{
    public const string Region = "eu-west-1";
    public const string TaskArn =
        "arn:aws:ecs:eu-west-1:123456789012:task/mobz-munits/0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    public const string ClusterArn = "arn:aws:ecs:eu-west-1:123456789012:cluster/mobz-munits";
    public const string NetworkInterfaceId = "eni-0a1b2c3d4e5f60718";
    public const string AuthorizationToken = "container-auth-token";
    public static readonly AwsCredentials RoleCredentials = new(
        "ASIATESTROLEKEY00001",
        "role/secret+key",
        "session-token-of-the-task-role"
    );

    private readonly WebApplication _app;

    public sealed record Received(
        string Service,
        string Method,
        string Path,
        IReadOnlyDictionary<string, string> Headers,
        string Body
    );

    private EcsApiDouble(WebApplication app) => _app = app;

    public ConcurrentQueue<Received> Requests { get; } = new();
    public ConcurrentQueue<string> Rejections { get; } = new();

    /// <summary>DescribeTasks calls that answer without the ENI attachment (ECS still provisioning) before it
    /// appears.</summary>
    public int PendingDescribes { get; set; }

    /// <summary>The ENI's public IP; null answers an ENI without an association (AssignPublicIp DISABLED).</summary>
    public string? PublicIp { get; set; } = "198.51.100.23";

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The environment ECS gives the container, pointing at this double.</summary>
    public Func<string, string?> Environment =>
        name =>
            name switch
            {
                "ECS_CONTAINER_METADATA_URI_V4" => new Uri(BaseUri, "v4/9f8e7d6c-munit").AbsoluteUri,
                "AWS_CONTAINER_CREDENTIALS_FULL_URI" => new Uri(BaseUri, "creds").AbsoluteUri,
                "AWS_CONTAINER_AUTHORIZATION_TOKEN" => AuthorizationToken,
                "AWS_ENDPOINT_URL_ECS" => new Uri(BaseUri, "ecs/").AbsoluteUri,
                "AWS_ENDPOINT_URL_EC2" => new Uri(BaseUri, "ec2/").AbsoluteUri,
                _ => null,
            };

    public static async Task<EcsApiDouble> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new EcsApiDouble(app);
        int describes = 0;
        app.Run(async context =>
        {
            var path = context.Request.Path.Value ?? "";
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var body = buffer.ToArray();
            if (context.Request.Method == "GET" && path == "/v4/9f8e7d6c-munit/task")
            {
                await WriteAsync(
                    context,
                    200,
                    "application/json",
                    $$"""{"Cluster":"{{ClusterArn}}","TaskARN":"{{TaskArn}}","Family":"mobz-munit","Revision":"3","DesiredStatus":"RUNNING","KnownStatus":"RUNNING","AvailabilityZone":"eu-west-1a","LaunchType":"FARGATE","Containers":[{"Name":"munit","Networks":[{"NetworkMode":"awsvpc","IPv4Addresses":["10.40.1.17"]}]}]}"""
                );
                return;
            }
            if (context.Request.Method == "GET" && path == "/creds")
            {
                if (context.Request.Headers.Authorization != AuthorizationToken)
                {
                    await WriteAsync(context, 401, "text/plain", "missing container authorization token");
                    return;
                }
                var c = RoleCredentials;
                var expiration = DateTimeOffset
                    .UtcNow.AddHours(6)
                    .ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                await WriteAsync(
                    context,
                    200,
                    "application/json",
                    $$"""{"RoleArn":"arn:aws:iam::123456789012:role/munit","AccessKeyId":"{{c.AccessKeyId}}","SecretAccessKey":"{{c.SecretAccessKey}}","Token":"{{c.SessionToken}}","Expiration":"{{expiration}}"}"""
                );
                return;
            }

            string service =
                path.StartsWith("/ecs/", StringComparison.Ordinal) ? "ecs"
                : path.StartsWith("/ec2/", StringComparison.Ordinal) ? "ec2"
                : "";
            var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
            var rejection =
                service.Length == 0
                    ? $"no such endpoint {path}"
                    : VerifySignature(context.Request, rawTarget, body, service);
            if (rejection is not null)
            {
                fake.Rejections.Enqueue(rejection);
                await WriteAsync(
                    context,
                    403,
                    "application/json",
                    $$"""{"__type":"InvalidSignatureException","message":"{{rejection}}"}"""
                );
                return;
            }
            var received = new Received(
                service,
                context.Request.Method,
                path,
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
                Encoding.UTF8.GetString(body)
            );
            fake.Requests.Enqueue(received);
            if (service == "ecs")
            {
                bool attached = Interlocked.Increment(ref describes) > fake.PendingDescribes;
                var attachments = attached
                    ? $$"""[{"id":"a1","type":"ElasticNetworkInterface","status":"ATTACHED","details":[{"name":"subnetId","value":"subnet-1"},{"name":"networkInterfaceId","value":"{{NetworkInterfaceId}}"},{"name":"macAddress","value":"0a:1b:2c:3d:4e:5f"},{"name":"privateIPv4Address","value":"10.40.1.17"}]}]"""
                    : """[{"id":"a1","type":"ElasticNetworkInterface","status":"PRECREATED","details":[]}]""";
                await WriteAsync(
                    context,
                    200,
                    "application/x-amz-json-1.1",
                    $$"""{"tasks":[{"taskArn":"{{TaskArn}}","clusterArn":"{{ClusterArn}}","lastStatus":"RUNNING","attachments":{{attachments}}}],"failures":[]}"""
                );
            }
            else
            {
                var association = fake.PublicIp is null
                    ? ""
                    : $"<association><publicIp>{fake.PublicIp}</publicIp><ipOwnerId>amazon</ipOwnerId></association>";
                await WriteAsync(
                    context,
                    200,
                    "text/xml;charset=UTF-8",
                    $"""<?xml version="1.0" encoding="UTF-8"?><DescribeNetworkInterfacesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId><networkInterfaceSet><item><networkInterfaceId>{NetworkInterfaceId}</networkInterfaceId><subnetId>subnet-1</subnetId>{association}<privateIpAddress>10.40.1.17</privateIpAddress></item></networkInterfaceSet></DescribeNetworkInterfacesResponse>"""
                );
            }
        });
        await app.StartAsync();
        fake.BaseUri = new Uri(
            app.Services.GetRequiredService<IServer>()
                .Features.GetRequiredFeature<IServerAddressesFeature>()
                .Addresses.First() + "/"
        );
        return fake;
    }

    /// <summary>The checks of AWS's SigV4 front end; null when the request would be accepted.</summary>
    private static string? VerifySignature(HttpRequest request, string rawTarget, byte[] body, string service) =>
        MobZ.TestKit.Aws.SigV4Verifier.Verify(request, rawTarget, body, RoleCredentials, Region, service);

    private static async Task WriteAsync(HttpContext context, int status, string contentType, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.Headers["x-amzn-RequestId"] = "req-1";
        await context.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
