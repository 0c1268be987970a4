using Microsoft.Playwright;

namespace MobZ.TestKit.Browser;

/// <summary>
/// Headless Debian Chromium driven by Playwright through <c>ExecutablePath</c> (no browser
/// download), with a fresh throwaway profile directory and the switches the interop tests rely on.
/// <code>
/// await using var chromium = await Chromium.LaunchAsync(new() { Log = output.WriteLine });
/// var page = await chromium.NewPageAsync();
/// await page.SetContentAsync(html);
/// </code>
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    /// <summary>Switches from ARCHITECTURE.md; sandbox off because tests may run as root in containers.</summary>
    public static readonly IReadOnlyList<string> BaseArgs =
    [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];

    public static readonly IReadOnlyList<string> FakeMediaArgs =
    [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
    ];

    private readonly IPlaywright _playwright;
    private readonly Action<string>? _log;

    private Chromium(IPlaywright playwright, IBrowserContext context, string userDataDir, Action<string>? log)
    {
        _playwright = playwright;
        Context = context;
        UserDataDir = userDataDir;
        _log = log;
    }

    /// <summary>The browser's only context (persistent, because the profile directory is ours).</summary>
    public IBrowserContext Context { get; }

    public string UserDataDir { get; }

    public static async Task<Chromium> LaunchAsync(ChromiumOptions? options = null)
    {
        options ??= new ChromiumOptions();
        if (!File.Exists(options.ExecutablePath))
        {
            throw new FileNotFoundException(
                $"Chromium not found at {options.ExecutablePath} (set MOBZ_CHROMIUM)",
                options.ExecutablePath
            );
        }

        var userDataDir = Path.Combine(Path.GetTempPath(), "mobz-chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(userDataDir);
        var playwright = await Playwright.CreateAsync().ConfigureAwait(false);
        try
        {
            var args = new List<string>(BaseArgs);
            if (options.FakeMedia)
                args.AddRange(FakeMediaArgs);
            args.AddRange(options.ExtraArgs);
            // Playwright owns --user-data-dir: a persistent context is how it takes a profile path.
            var context = await playwright
                .Chromium.LaunchPersistentContextAsync(
                    userDataDir,
                    new BrowserTypeLaunchPersistentContextOptions
                    {
                        ExecutablePath = options.ExecutablePath,
                        Headless = options.Headless,
                        Args = args,
                        Timeout = (float)options.LaunchTimeout.TotalMilliseconds,
                        Permissions = options.FakeMedia ? ["camera", "microphone"] : null,
                    }
                )
                .ConfigureAwait(false);
            return new Chromium(playwright, context, userDataDir, options.Log);
        }
        catch
        {
            playwright.Dispose();
            TryDelete(userDataDir);
            throw;
        }
    }

    /// <summary>A new tab whose console output and errors go to the log.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var page = await Context.NewPageAsync().ConfigureAwait(false);
        if (_log is { } log)
        {
            page.Console += (_, message) => Safe(log, $"[browser {message.Type}] {message.Text}");
            page.PageError += (_, error) => Safe(log, $"[browser error] {error}");
        }
        return page;
    }

    /// <summary>
    /// A new tab showing <paramref name="html"/> at a secure-context origin (http://localhost counts
    /// as secure, so getUserMedia and RTCPeerConnection work), served by Playwright routing — no
    /// HTTP server needed.
    /// </summary>
    public async Task<IPage> NewPageWithContentAsync(string html, string url = "http://localhost/mobz-test.html")
    {
        var page = await NewPageAsync().ConfigureAwait(false);
        await page.RouteAsync(url, route => route.FulfillAsync(
                    new RouteFulfillOptions
                    {
                        Status = 200,
                        ContentType = "text/html; charset=utf-8",
                        Body = html,
                    }
                ))
            .ConfigureAwait(false);
        await page.GotoAsync(url).ConfigureAwait(false);
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Context.CloseAsync().ConfigureAwait(false);
        }
        catch (PlaywrightException)
        {
            // Browser already gone.
        }
        _playwright.Dispose();
        TryDelete(UserDataDir);
    }

    // ITestOutputHelper throws once its test has finished; late console lines are not worth a crash.
    private static void Safe(Action<string> log, string line)
    {
        try
        {
            log(line);
        }
        catch (InvalidOperationException) { }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
