using MobZ.Hls.Codecs;

namespace MobZ.Hls.Tests.Codecs;

public sealed class H264SpsTests
{
    // SPS NAL units x264 wrote for these sizes and profiles (the 1080p and 642x362 ones need cropping).
    [Theory]
    [InlineData("6742c00dd90141fb0110000003001000000303c0f142a480", 320, 240, "avc1.42c00d")]
    [InlineData("67640028acd940780227e5c044000003000400000300f03c60c658", 1920, 1080, "avc1.640028")]
    [InlineData("674d401feca02802dd8088000003000800000301e078c18cb0", 1280, 720, "avc1.4d401f")]
    [InlineData("6764001eacd940a42fe224c044000003000400000300f03c58b658", 642, 362, "avc1.64001e")]
    public void Parses_cropped_size_and_codec_string(string hex, int width, int height, string codec)
    {
        Assert.True(H264Sps.TryParse(Convert.FromHexString(hex), out H264Sps sps));
        Assert.Equal((width, height), (sps.Width, sps.Height));
        Assert.Equal(codec, sps.CodecString);
    }

    [Fact]
    public void High_profile_reports_chroma_format_and_bit_depth_for_avcC()
    {
        Assert.True(
            H264Sps.TryParse(
                Convert.FromHexString("67640028acd940780227e5c044000003000400000300f03c60c658"),
                out H264Sps sps
            )
        );
        Assert.Equal((1u, 0u, 0u), (sps.ChromaFormatIdc, sps.BitDepthLumaMinus8, sps.BitDepthChromaMinus8));
    }

    [Fact]
    public void Rejects_every_truncation_of_a_real_SPS()
    {
        byte[] sps = Convert.FromHexString("67640028acd940780227e5c044000003000400000300f03c60c658");
        // Cutting inside the fields that give the picture size must fail, never throw or guess.
        for (int length = 0; length < 9; length++)
        {
            Assert.False(H264Sps.TryParse(sps.AsSpan(0, length), out _), $"length {length}");
        }
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(7);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] data = new byte[random.Next(0, 64)];
            random.NextBytes(data);
            if (data.Length > 0)
            {
                data[0] = 0x67;
            }

            if (H264Sps.TryParse(data, out H264Sps sps))
            {
                Assert.InRange(sps.Width, 1, 16384);
                Assert.InRange(sps.Height, 1, 16384);
            }
        }
    }

    [Fact]
    public void Rejects_NALs_that_are_not_SPS()
    {
        Assert.False(H264Sps.TryParse(Convert.FromHexString("68ce3c80"), out _));
    }
}
