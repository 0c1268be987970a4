using MobZ.TestKit;
using Microsoft.Playwright;

namespace MobZ.Interop.Tests.Pages;

/// <summary>
/// The pages a newcomer opens first, in Chromium as a person sees them: the API docs render their operations,
/// and no page asks for anything the server does not have.
/// </summary>
[Trait("Category", "Interop")]
[Collection(StackCollection.Name)]
public sealed class DemoPagesInteropTests(StackFixture stack) : IAsyncLifetime
{
    public Task InitializeAsync() => stack.ClosePagesAsync();

    public Task DisposeAsync() => stack.ClosePagesAsync();

    [Fact]
    public async Task Api_docs_page_renders_swagger_ui_with_the_instance_operations_listed()
    {
        var page = await stack.Browser.NewPageAsync();
        var scriptErrors = new List<string>();
        page.PageError += (_, e) => { lock (scriptErrors) scriptErrors.Add(e); };
        await page.GotoAsync(stack.Page("/docs").ToString());

        var operations = page.Locator(".opblock-summary-path");
        await Eventually.WaitUntilAsync(async () => await operations.CountAsync() > 0, TimeSpan.FromSeconds(30),
            "Swagger UI rendered at least one operation");
        var paths = await operations.AllInnerTextsAsync();
        Assert.Contains(paths, p => p.Contains("/api/instances", StringComparison.Ordinal));
        Assert.True(await operations.First.IsVisibleAsync(), "the operation is on screen");
        lock (scriptErrors) Assert.Empty(scriptErrors);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/room/index.html")]
    [InlineData("/hls/index.html")]
    [InlineData("/ps/index.html")]
    [InlineData("/admin/index.html")]
    [InlineData("/docs")]
    public async Task Page_loads_without_a_missing_resource_favicon_included(string path)
    {
        var page = await stack.Browser.NewPageAsync();
        var missing = new List<string>();
        page.Response += (_, r) => { if (r.Status >= 400) lock (missing) missing.Add($"{r.Status} {r.Url}"); };
        await page.GotoAsync(stack.Page(path).ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle });
        // Chromium's own favicon request is not reported to Playwright, so ask for it as the browser does.
        var favicon = await page.APIRequest.GetAsync(stack.Page("/favicon.ico").ToString());
        Assert.Equal(200, favicon.Status);
        Assert.StartsWith("image/", favicon.Headers["content-type"]);
        lock (missing) Assert.Empty(missing);
    }
}
