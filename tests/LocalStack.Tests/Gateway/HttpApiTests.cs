using System.Net;
using System.Net.Http.Headers;

namespace MobZ.LocalStack.Tests.Gateway;

[Collection(GatewayCollection.Name)]
public sealed class HttpApiTests(GatewayFixture fixture)
{
    [Fact]
    public async Task Request_becomes_a_payload_2_0_event_and_the_proxy_response_is_written_back()
    {
        var tag = Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/instances/{tag}?a=1&a=2&b=x%20y");
        request.Content = new StringContent("""{"name":"ue"}""", System.Text.Encoding.UTF8, "application/json");
        request.Headers.Add("X-Custom", "v1");

        var response = await fixture.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("yes", response.Headers.GetValues("x-mobz-test").Single());
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, await response.Content.ReadAsByteArrayAsync());

        var evt = fixture.Http.Events.Single(e => e.RawPath.EndsWith(tag, StringComparison.Ordinal));
        Assert.Equal("2.0", evt.Version);
        Assert.Equal("ANY /api/{proxy+}", evt.RouteKey);
        Assert.Equal($"/api/instances/{tag}", evt.RawPath);
        Assert.Equal("a=1&a=2&b=x%20y", evt.RawQueryString);
        Assert.Equal("1,2", evt.QueryStringParameters!["a"]);
        Assert.Equal("x y", evt.QueryStringParameters["b"]);
        Assert.Equal($"instances/{tag}", evt.PathParameters!["proxy"]);
        Assert.Equal("v1", evt.Headers!["x-custom"]);
        Assert.Equal("""{"name":"ue"}""", evt.Body);
        Assert.False(evt.IsBase64Encoded);
        Assert.Equal("POST", evt.RequestContext.Http.Method);
        Assert.Equal("127.0.0.1", evt.RequestContext.Http.SourceIp);
        Assert.Equal("$default", evt.RequestContext.Stage);
        Assert.Equal(fixture.Stack.BaseUrl.Authority, evt.RequestContext.DomainName);
        Assert.InRange(
            evt.RequestContext.TimeEpoch,
            DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(),
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()
        );
    }

    [Fact]
    public async Task Binary_request_body_is_base64_encoded()
    {
        var tag = Guid.NewGuid().ToString("N");
        var content = new ByteArrayContent([1, 2, 3, 250]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        await fixture.Client.PutAsync($"/api/blob/{tag}", content);

        var evt = fixture.Http.Events.Single(e => e.RawPath.EndsWith(tag, StringComparison.Ordinal));
        Assert.True(evt.IsBase64Encoded);
        Assert.Equal(Convert.ToBase64String(new byte[] { 1, 2, 3, 250 }), evt.Body);
    }

    [Fact]
    public async Task Handler_exception_answers_500_like_api_gateway()
    {
        var response = await fixture.Client.GetAsync("/api/x/fail");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("Internal Server Error", await response.Content.ReadAsStringAsync());
    }
}
