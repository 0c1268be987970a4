using System.Buffers.Binary;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MobZ.Munit.Control;
using MobZ.Munit.Tap;
using MobZ.TestKit;
using MobZ.TestKit.Redis;

namespace MobZ.MunitHost.Tests;

public sealed class HlsTapTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task A_p2m_station_tap_is_packaged_to_Redis_and_played_from_the_hosts_hls_endpoint_with_a_token_only()
    {
        var prefix = redis.NewKeyPrefix();
        // The access key as ECS hands it over (MobZ__Access__HmacSecret); the command line is the same configuration.
        const string secret = "munit-host-hls-secret-0123456789abcdef";
        await using var host = await RunningHost.StartAsync(
            redis.Configuration,
            prefix,
            "203.0.113.4",
            TimeSpan.FromSeconds(5),
            munitId: "munit-hls",
            args: [$"--MobZ:Access:HmacSecret={secret}"]
        );
        var frames = await EncodeAsync(seconds: 3);
        var taps = host.App.Services.GetRequiredService<IStationTapFactory>();
        int keyFrameRequests = 0;

        var tap = taps.Create(new StationDescriptor("st-hls", "room-hls", "pub-1", "p2m", Hls: true), () =>
            Interlocked.Increment(ref keyFrameRequests)
        );
        Assert.NotNull(tap);
        ushort sequence = 1000;
        var packet = new byte[64 * 1024];
        for (int f = 0; f < frames.Count; f++)
        {
            uint timestamp = (uint)(f * 3000); // 30 fps at 90 kHz
            for (int n = 0; n < frames[f].Count; n++)
            {
                var nal = frames[f][n];
                packet[0] = 0x80;
                packet[1] = (byte)(96 | (n == frames[f].Count - 1 ? 0x80 : 0));
                BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence++);
                BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), timestamp);
                BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 0x1234_5678);
                nal.CopyTo(packet.AsSpan(12));
                tap!.OnRtp(TapTrack.Video, packet.AsSpan(0, 12 + nal.Length));
            }
        }
        tap!.Dispose();

        using var http = new HttpClient();
        // Production serves playback only to a token for the room with the subscribe grant.
        using (var bare = await http.GetAsync(new Uri(host.HttpBase, "hls/room-hls/media.m3u8")))
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, bare.StatusCode);
        var token = new MobZ.Access.AccessTokenIssuer(
            new MobZ.Access.AccessTokenOptions { HmacSecret = secret },
            TimeProvider.System
        ).Issue("viewer-1", "room-hls", MobZ.Access.AccessGrant.Subscribe, TimeSpan.FromMinutes(10));
        var media = new Uri(host.HttpBase, $"hls/room-hls/t/{token}/media.m3u8");
        string playlist = "";
        await Eventually.WaitUntilAsync(
            async () =>
            {
                using var response = await http.GetAsync(media);
                playlist = await response.Content.ReadAsStringAsync();
                return response.IsSuccessStatusCode && playlist.Contains("#EXT-X-ENDLIST", StringComparison.Ordinal);
            },
            TimeSpan.FromSeconds(10),
            "the closed station's playlist is served with EXT-X-ENDLIST"
        );

        Assert.StartsWith("#EXTM3U", playlist, StringComparison.Ordinal);
        var segment = playlist
            .Split('\n')
            .First(l => l.EndsWith(".m4s", StringComparison.Ordinal) && !l.StartsWith('#'));
        using var file = await http.GetAsync(new Uri(media, segment));
        Assert.True(file.IsSuccessStatusCode, $"segment {segment}: {(int)file.StatusCode}");
        var bytes = await file.Content.ReadAsByteArrayAsync();
        Assert.Equal("moof", System.Text.Encoding.ASCII.GetString(bytes, 4, 4));
    }

    /// <summary>A real H.264 stream (libx264, baseline, one slice per frame) as NAL units grouped by frame.</summary>
    private static async Task<List<List<byte[]>>> EncodeAsync(int seconds)
    {
        var path = Path.Combine(Path.GetTempPath(), $"munithost-{Guid.NewGuid():N}.h264");
        try
        {
            using (
                var ffmpeg = Process.Start(
                    new ProcessStartInfo(
                        "/usr/bin/ffmpeg",
                        $"-hide_banner -loglevel error -f lavfi -i testsrc=size=160x120:rate=30 -t {seconds} -c:v libx264 -profile:v baseline "
                            + $"-g 30 -keyint_min 30 -sc_threshold 0 -pix_fmt yuv420p -bsf:v dump_extra -f h264 {path}"
                    )
                    {
                        RedirectStandardError = true,
                    }
                )!
            )
            {
                var stderr = ffmpeg.StandardError.ReadToEndAsync();
                await ffmpeg.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
                Assert.True(ffmpeg.ExitCode == 0, await stderr);
            }
            var data = await File.ReadAllBytesAsync(path);
            var frames = new List<List<byte[]>>();
            var current = new List<byte[]>();
            foreach (var nal in SplitAnnexB(data))
            {
                current.Add(nal);
                if ((nal[0] & 0x1F) is 1 or 5)
                {
                    frames.Add(current);
                    current = [];
                }
            }
            Assert.Equal(30 * seconds, frames.Count);
            return frames;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static IEnumerable<byte[]> SplitAnnexB(byte[] data)
    {
        int start = -1;
        for (int i = 0; i + 3 <= data.Length; i++)
        {
            if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1)
            {
                if (start >= 0)
                    yield return Trim(data, start, i);
                start = i + 3;
                i += 2;
            }
        }
        if (start >= 0)
            yield return Trim(data, start, data.Length);
    }

    /// <summary>A NAL ends before the next start code; a 4-byte start code leaves one trailing zero to drop.</summary>
    private static byte[] Trim(byte[] data, int from, int to)
    {
        while (to > from && data[to - 1] == 0)
            to--;
        return data[from..to];
    }
}
