using System.Xml.Linq;
using MobZ.Aws.Clients;
using MobZ.Aws.Credentials;
using MobZ.Aws.Tests.Doubles;

namespace MobZ.Aws.Tests.Clients;

public sealed class Ec2QueryClientTests : IAsyncLifetime
{
    private static readonly AwsCredentials Credentials = new("ASIATASKROLE", "task-secret", "task-token");

    private const string DescribeResponse = """
        <?xml version="1.0" encoding="UTF-8"?>
        <DescribeNetworkInterfacesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
          <requestId>fc45294c-006b-457b-bab9-012f5b3b0e40</requestId>
          <networkInterfaceSet>
            <item>
              <networkInterfaceId>eni-0f7db7b9</networkInterfaceId>
              <subnetId>subnet-7b16de0c</subnetId>
              <privateIpAddress>10.0.1.17</privateIpAddress>
              <association><publicIp>203.0.113.12</publicIp><ipOwnerId>amazon</ipOwnerId></association>
            </item>
            <item>
              <networkInterfaceId>eni-a66ed5cf</networkInterfaceId>
              <privateIpAddress>10.0.2.8</privateIpAddress>
            </item>
          </networkInterfaceSet>
        </DescribeNetworkInterfacesResponse>
        """;

    private AwsApiDouble _ec2 = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _ec2 = await AwsApiDouble.StartAsync(Credentials, "eu-west-1", "ec2");

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _ec2.DisposeAsync();
    }

    private Ec2QueryClient Client() =>
        new(
            new SignedRequestSender(_http, new StaticCredentials(Credentials), "eu-west-1", "ec2")
            {
                BaseDelay = TimeSpan.FromMilliseconds(1),
            },
            _ec2.Endpoint
        );

    [Fact]
    public async Task DescribeNetworkInterfaces_posts_the_query_form_and_reads_public_and_private_addresses()
    {
        _ec2.Handle = _ => new AwsApiDouble.Answer(200, "text/xml;charset=UTF-8", DescribeResponse);

        var interfaces = await Client().DescribeNetworkInterfacesAsync(["eni-0f7db7b9", "eni-a66ed5cf"]);

        Assert.Equal(
            [
                new NetworkInterfaceAddresses("eni-0f7db7b9", "10.0.1.17", "203.0.113.12"),
                new NetworkInterfaceAddresses("eni-a66ed5cf", "10.0.2.8", null),
            ],
            interfaces
        );
        var request = Assert.Single(_ec2.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/", request.RawTarget);
        Assert.Equal("application/x-www-form-urlencoded; charset=utf-8", request.Headers["content-type"]);
        Assert.Equal(
            "Action=DescribeNetworkInterfaces&Version=2016-11-15&NetworkInterfaceId.1=eni-0f7db7b9&NetworkInterfaceId.2=eni-a66ed5cf",
            request.Body
        );
    }

    [Fact]
    public async Task Error_response_becomes_an_aws_service_exception()
    {
        _ec2.Handle = _ => new AwsApiDouble.Answer(
            400,
            "text/xml",
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <Response><Errors><Error><Code>InvalidNetworkInterfaceID.NotFound</Code><Message>The networkInterface ID 'eni-1' does not exist</Message></Error></Errors><RequestID>ab12</RequestID></Response>
            """
        );

        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            Client().DescribeNetworkInterfacesAsync(["eni-1"])
        );

        Assert.Equal("InvalidNetworkInterfaceID.NotFound", error.ErrorCode);
        Assert.Equal("ab12", error.RequestId);
    }

    [Fact]
    public async Task RequestLimitExceeded_is_retried()
    {
        var calls = 0;
        _ec2.Handle = _ =>
            Interlocked.Increment(ref calls) == 1
                ? new AwsApiDouble.Answer(
                    503,
                    "text/xml",
                    "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>slow down</Message></Error></Errors></Response>"
                )
                : new AwsApiDouble.Answer(200, "text/xml", DescribeResponse);

        Assert.Equal(2, (await Client().DescribeNetworkInterfacesAsync(["eni-0f7db7b9"])).Count);
        Assert.Equal(2, _ec2.Requests.Count);
    }

    [Fact]
    public void Parser_returns_nothing_for_documents_without_a_set()
    {
        Assert.Empty(
            Ec2QueryClient.ParseNetworkInterfaces(
                XDocument.Parse(
                    "<DescribeNetworkInterfacesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"/>"
                )
            )
        );
        Assert.Empty(Ec2QueryClient.ParseNetworkInterfaces(XDocument.Parse("<Other/>")));
    }
}
