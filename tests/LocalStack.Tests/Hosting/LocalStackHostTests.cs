using System.Net;
using MobZ.LocalStack.Tests.Gateway;

namespace MobZ.LocalStack.Tests.Hosting;

[Collection(GatewayCollection.Name)]
public sealed class LocalStackHostTests(GatewayFixture fixture)
{
    [Fact]
    public void Host_listens_on_loopback_on_a_real_port()
    {
        Assert.Equal("127.0.0.1", fixture.Stack.BaseUrl.Host);
        Assert.NotEqual(0, fixture.Stack.BaseUrl.Port);
        Assert.EndsWith("/", fixture.Stack.BaseUrl.AbsoluteUri);
    }

    [Fact]
    public async Task Index_page_lists_demo_pages_and_mounted_apis()
    {
        var response = await fixture.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<a href=\"/rooms.html\">Rooms demo</a>", html);
        Assert.Contains("<code>/ws</code> — route selection <code>$request.body.action</code>", html);
        Assert.Contains("<code>/ps</code> — route selection <code>${request.body.type}</code>", html);
        Assert.Contains("<code>/api</code>", html);
        Assert.Contains("State backend: <code>in-process</code>", html);
        // A folder's index.html in wwwroot is listed without registration, titled by its <title>.
        Assert.Contains("<a href=\"/test-demo/index.html\">Gateway test page &amp; more</a>", html);
    }
}
