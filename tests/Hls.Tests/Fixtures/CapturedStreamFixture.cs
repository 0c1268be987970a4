namespace MobZ.Hls.Tests.Fixtures;

/// <summary>Four seconds of ffmpeg RTP (320x240 baseline at 30 fps, a keyframe every second, Opus), captured once per
/// test run.</summary>
public sealed class CapturedStreamFixture : IAsyncLifetime
{
    public IReadOnlyList<CapturedPacket> Packets { get; private set; } = [];

    public async Task InitializeAsync() => Packets = await FfmpegRtpCapture.CaptureAsync(4);

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class CapturedStreamCollection : ICollectionFixture<CapturedStreamFixture>
{
    public const string Name = "ffmpeg RTP capture";
}
