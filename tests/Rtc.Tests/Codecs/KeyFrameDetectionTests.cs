using MobZ.Rtc.Codecs;

namespace MobZ.Rtc.Tests.Codecs;

public class KeyFrameDetectionTests
{
    public static TheoryData<string, byte[], bool> Vp8Cases =>
        new()
        {
            // S=1 PID=0, no extension, payload header P=0 → key frame.
            { "minimal key frame", [0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a], true },
            { "minimal delta frame", [0x10, 0x01, 0x00, 0x00], false },
            { "continuation packet of a key frame", [0x00, 0x00, 0x00], false },
            { "start of partition 1", [0x11, 0x00], false },
            // X=1, I=1 with 15-bit picture id, L=1, T=1.
            { "extended descriptor key frame", [0x90, 0xE0, 0x81, 0x23, 0x05, 0x40, 0x00, 0x9d], true },
            { "extended descriptor delta frame", [0x90, 0xE0, 0x81, 0x23, 0x05, 0x40, 0x01, 0x9d], false },
            { "7-bit picture id", [0x90, 0x80, 0x12, 0x00], true },
            { "K bit only", [0x90, 0x10, 0x20, 0x00], true },
            { "descriptor without payload", [0x90, 0x80, 0x12], false },
            { "truncated extension", [0x90], false },
            { "truncated picture id", [0x90, 0x80, 0x81], false },
            { "empty", [], false },
        };

    [Theory]
    [MemberData(nameof(Vp8Cases))]
    public void VP8_key_frame_start_is_detected_from_the_payload_descriptor(
        string name,
        byte[] payload,
        bool expected
    ) => Assert.True(expected == KeyFrame.IsStart(MediaCodec.Vp8, payload), name);

    [Fact]
    public void VP8_descriptor_fields_are_read()
    {
        Assert.True(Vp8PayloadDescriptor.TryRead([0x90, 0xE0, 0x81, 0x23, 0x05, 0x40, 0x00], out var d));
        Assert.True(d.HasPictureId);
        Assert.Equal(0x0123, d.PictureId);
        Assert.Equal(5, d.Tl0PicIdx);
        Assert.Equal(1, d.TemporalLayer);
        Assert.Equal(6, d.Size);
    }

    public static TheoryData<string, byte[], bool> H264Cases =>
        new()
        {
            { "single NAL IDR", [0x65, 0x88, 0x84], true },
            { "single NAL SPS", [0x67, 0x42, 0xC0, 0x1F], true },
            { "single NAL non-IDR slice", [0x41, 0x9A], false },
            { "single NAL PPS", [0x68, 0xCE], false },
            { "STAP-A with SPS+PPS", [0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xCE], true },
            { "STAP-A with PPS then IDR", [0x78, 0x00, 0x02, 0x68, 0xCE, 0x00, 0x02, 0x65, 0x88], true },
            { "STAP-A of SEI and slice", [0x78, 0x00, 0x01, 0x06, 0x00, 0x02, 0x41, 0x9A], false },
            { "STAP-A with a size past the end", [0x78, 0x00, 0x09, 0x67, 0x42], false },
            { "STAP-A zero size", [0x78, 0x00, 0x00, 0x65], false },
            { "FU-A start of IDR", [0x7C, 0x85, 0x88], true },
            { "FU-A middle of IDR", [0x7C, 0x05, 0x88], false },
            { "FU-A start of non-IDR", [0x7C, 0x81, 0x9A], false },
            { "FU-A truncated", [0x7C], false },
            { "empty", [], false },
        };

    [Theory]
    [MemberData(nameof(H264Cases))]
    public void H264_key_frame_start_is_detected_from_NAL_types(string name, byte[] payload, bool expected) =>
        Assert.True(expected == KeyFrame.IsStart(MediaCodec.H264, payload), name);

    [Fact]
    public void Only_an_IDR_slice_makes_an_access_unit_a_key_frame()
    {
        int[] keyFrameTypes = [.. Enumerable.Range(0, 32).Where(H264Payload.IsKeyFrameSlice)];
        Assert.Equal([H264NalType.IdrSlice], keyFrameTypes);
        Assert.Equal(H264NalType.IdrSlice, H264Payload.NalType(0x65));
    }

    [Fact]
    public void Opus_is_never_a_key_frame() => Assert.False(KeyFrame.IsStart(MediaCodec.Opus, [0x65, 0x10]));

    [Fact]
    public void Random_and_truncated_payloads_never_throw()
    {
        var rng = new Random(7);
        var buffer = new byte[64];
        for (int i = 0; i < 100_000; i++)
        {
            rng.NextBytes(buffer);
            var span = buffer.AsSpan(0, rng.Next(buffer.Length + 1));
            KeyFrame.IsStart(MediaCodec.Vp8, span);
            KeyFrame.IsStart(MediaCodec.H264, span);
        }
    }
}
