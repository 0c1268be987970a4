using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MobZ.Hls.Tests.Fixtures;
using MobZ.State;
using MobZ.TestKit.Redis;

namespace MobZ.Hls.Tests.Serving;

/// <summary>ffmpeg RTP → packager → store → HTTP, as a player would fetch it, on both backends.</summary>
[Collection(CapturedStreamCollection.Name)]
public sealed class EndToEndTests(CapturedStreamFixture capture, RedisServer redis) : IClassFixture<RedisServer>
{
    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task Served_init_and_segments_probe_as_the_source_and_the_playlist_follows_the_rules(
        string backendName
    )
    {
        IStateBackend backend = await Backends.CreateAsync(backendName, redis);
        await using var _ = backend;
        await using HlsTestServer server = await HlsTestServer.StartAsync(backend, _ => { });
        string stream = $"room-{Guid.NewGuid():N}";
        HlsPackager packager = server.Services.GetRequiredService<IHlsPackagerFactory>().Create(stream);
        FfmpegRtpCapture.Replay(capture.Packets, packager);
        await packager.DisposeAsync();

        string multivariant = await server.Client.GetStringAsync($"/hls/{stream}/index.m3u8");
        Assert.Contains("CODECS=\"avc1.42c00d,opus\"", multivariant);
        Assert.Contains("RESOLUTION=320x240", multivariant);

        ParsedPlaylist p = ParsedPlaylist.Parse(await server.Client.GetStringAsync($"/hls/{stream}/media.m3u8"));
        Assert.True(p.Ended);
        Assert.Equal(2, p.Complete.Count());
        double partTarget = p.Attribute("#EXT-X-PART-INF", "PART-TARGET");
        int targetDuration = int.Parse(p.Tags["#EXT-X-TARGETDURATION"]);
        foreach (ParsedPlaylist.Segment segment in p.Segments)
        {
            Assert.True(Math.Round(segment.Duration!.Value) <= targetDuration);
            Assert.True(segment.Parts[0].Independent);
            Assert.Equal(segment.Duration!.Value, segment.Parts.Sum(x => x.Duration), 3);
            for (int i = 0; i < segment.Parts.Count; i++)
            {
                Assert.True(segment.Parts[i].Duration <= partTarget + 1e-9);
                Assert.True(i == segment.Parts.Count - 1 || segment.Parts[i].Duration >= 0.85 * partTarget);
            }
        }

        using var file = new MemoryStream();
        file.Write(await server.Client.GetByteArrayAsync($"/hls/{stream}/{p.Segments[0].Map}"));
        foreach (ParsedPlaylist.Segment segment in p.Complete)
        {
            using HttpResponseMessage response = await server.Client.GetAsync($"/hls/{stream}/{segment.Uri}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            file.Write(await response.Content.ReadAsByteArrayAsync());
        }

        Mp4Checker.Result check = Mp4Checker.Check(file.ToArray());
        Assert.True(check.Problems.Count == 0, check.ToString());
        Ffprobe.Report report = await Ffprobe.ProbeAsync(file.ToArray());
        Assert.Equal("", report.Errors);
        Assert.Contains(report.Streams, s => s is { CodecName: "h264", Width: 320, Height: 240 });
        Assert.Contains(report.Streams, s => s.CodecName == "opus");
        Assert.InRange(report.Duration, 3.6, 4.3);
    }
}
