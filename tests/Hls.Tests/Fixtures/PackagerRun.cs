namespace MobZ.Hls.Tests.Fixtures;

/// <summary>Runs captured packets through a packager into memory.</summary>
public static class PackagerRun
{
    public static async Task<(MemoryOutput Output, HlsPackager Packager, int KeyframeRequests)> RunAsync(
        IEnumerable<CapturedPacket> packets,
        HlsOptions? options = null
    )
    {
        var output = new MemoryOutput();
        var packager = new HlsPackager("test", output, options ?? new HlsOptions());
        int requests = 0;
        packager.KeyframeNeeded += () => requests++;
        FfmpegRtpCapture.Replay(packets, packager);
        await packager.DisposeAsync();
        return (output, packager, requests);
    }
}
