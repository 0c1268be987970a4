using MobZ.Munit.Routing;
using MobZ.Munit.Rtp;
using MobZ.Rtc.Codecs;

namespace MobZ.Munit.Tests.Support;

/// <summary>
/// A publisher's track whose layers have each received a second of packets at a known bitrate, as the stream
/// allocator reads them. Shared by the allocator's tests and its benchmark (bench/Bench links this file), so both
/// measure the same shape.
/// </summary>
internal static class FedProducer
{
    /// <summary>One layer per bitrate (three make a simulcast q/h/f track), fed up to
    /// <paramref name="nowMs"/>.</summary>
    public static Producer Create(MediaKind kind, long nowMs, params long[] bitrates)
    {
        var producer = new Producer(
            "t",
            kind,
            kind == MediaKind.Video ? MediaCodec.Vp8 : MediaCodec.Opus,
            96,
            90000,
            bitrates.Length == 1 ? [null] : ["q", "h", "f"],
            new NoRequests()
        );
        for (int l = 0; l < bitrates.Length; l++)
        {
            var layer = producer.Layers[l];
            layer.Bind((uint)(0x100 + l));
            // A second's worth of packets, all inside the meter's one-second window.
            for (int i = 0; i < 100; i++)
                layer.Recv!.Receive((ushort)i, (uint)i, (int)(bitrates[l] / 8 / 100), nowMs - 899 + (i * 9));
        }
        return producer;
    }

    private sealed class NoRequests : IKeyFrameRequester
    {
        public void RequestKeyFrame(uint ssrc) { }
    }
}
