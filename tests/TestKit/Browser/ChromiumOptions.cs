namespace MobZ.TestKit.Browser;

/// <summary>How <see cref="Chromium"/> starts the browser; the defaults suit WebRTC interop on loopback.</summary>
public sealed class ChromiumOptions
{
    /// <summary>Debian's Chromium; override with env MOBZ_CHROMIUM.</summary>
    public string ExecutablePath { get; init; } =
        Environment.GetEnvironmentVariable("MOBZ_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public bool Headless { get; init; } = true;

    /// <summary>Fake camera and microphone (a test pattern and a beep) granted without a prompt.</summary>
    public bool FakeMedia { get; init; } = true;

    /// <summary>Extra command-line switches appended after the defaults.</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];

    /// <summary>Receives the page console and page errors (e.g. ITestOutputHelper.WriteLine).</summary>
    public Action<string>? Log { get; init; }

    public TimeSpan LaunchTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
