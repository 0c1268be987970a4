namespace MobZ.LocalStack.PixelStreaming;

/// <summary>The local streamer of `make run` (configuration section "PixelStreaming:Local").</summary>
public sealed class LocalStreamerOptions
{
    public const string SectionName = "PixelStreaming:Local";

    public string ChromiumPath { get; set; } = "/usr/bin/chromium";

    /// <summary>Base URL of this process (the page and the signaling socket are served from it); null: the address it
    /// listens on.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Start one local streamer when the host starts.</summary>
    public bool StartOnBoot { get; set; } = true;
}
