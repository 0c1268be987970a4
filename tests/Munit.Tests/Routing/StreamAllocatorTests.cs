using MobZ.Munit.Routing;
using MobZ.Munit.Rtp;
using MobZ.Munit.Tests.Support;
using MobZ.Rtc.Codecs;

namespace MobZ.Munit.Tests.Routing;

/// <summary>
/// One viewer's estimate shared among its tracks (<see cref="StreamAllocator"/>): audio first, every video track its
/// lowest layer or paused, then layers up one step at a time. Tracks here are real producers whose layers are fed
/// packets at set bitrates (one second of them, so the meters read those bitrates).
/// </summary>
public sealed class StreamAllocatorTests
{
    private const long Now = 10_000;
    private static readonly long[] Layers = [150_000, 500_000, 1_500_000];

    private static Producer Fed(MediaKind kind, params long[] bitrates) => FedProducer.Create(kind, Now, bitrates);

    private static (Subscriber Viewer, Consumer[] Video) Viewer(int videoTracks, bool audio = true)
    {
        var viewer = new Subscriber("v", new RecordingOutput());
        if (audio)
            viewer.Add(new SimpleConsumer(Fed(MediaKind.Audio, 40_000), viewer, 1, 111));
        var video = new Consumer[videoTracks];
        for (int i = 0; i < videoTracks; i++)
        {
            video[i] = new SimulcastConsumer(Fed(MediaKind.Video, Layers), viewer, (uint)(10 + i), 96);
            viewer.Add(video[i]);
        }
        return (viewer, video);
    }

    /// <summary>The same estimate for long enough that a track whose lowest layer does not fit is paused.</summary>
    private static void AllocateSteadily(Subscriber viewer, long estimate)
    {
        StreamAllocator.Allocate(viewer, estimate, Now - StreamAllocator.PauseAfterMs, mayPause: true);
        StreamAllocator.Allocate(viewer, estimate, Now, mayPause: true);
    }

    private static int[] Layered(Subscriber viewer, Consumer[] video)
    {
        foreach (var c in video)
            c.Tick(Now);
        return video.Select(c => c.Paused ? -1 : c.TargetLayer).ToArray();
    }

    [Theory]
    // estimate, then each track's layer (-1: paused); audio takes 40 kbit/s first, layers need 150/500/1500 kbit/s
    // (going up from nothing needs no headroom: no layer is current yet).
    [InlineData(0, new[] { 2, 2 })] // no estimate: nothing capped
    [InlineData(100_000, new[] { -1, -1 })] // not even one lowest layer fits
    [InlineData(250_000, new[] { 0, -1 })] // the first track's lowest fits, the second's does not
    [InlineData(400_000, new[] { 0, 0 })]
    [InlineData(900_000, new[] { 1, 0 })] // 40 + 500 + 150: the second cannot step up too
    [InlineData(1_100_000, new[] { 1, 1 })]
    [InlineData(2_100_000, new[] { 2, 1 })] // 40 + 1500 + 500
    [InlineData(5_000_000, new[] { 2, 2 })]
    public void Audio_first_then_every_video_track_its_lowest_layer_then_steps_up_in_turn(long estimate, int[] expected)
    {
        var (viewer, video) = Viewer(videoTracks: 2);

        AllocateSteadily(viewer, estimate);

        Assert.Equal(expected, Layered(viewer, video));
        foreach (var (c, layer) in video.Zip(expected))
        {
            var reason =
                estimate == 0 ? StreamAllocator.Reason.Uncapped
                : layer < 0 ? StreamAllocator.Reason.Paused
                : layer == 2 ? StreamAllocator.Reason.Preferred
                : StreamAllocator.Reason.Bandwidth;
            Assert.Equal(reason, c.AllocationReason);
        }
    }

    [Fact]
    public void The_viewers_choice_is_the_ceiling_and_what_it_leaves_goes_to_the_other_track()
    {
        var (viewer, video) = Viewer(videoTracks: 2);
        video[0].SetPreferredLayer(0);

        StreamAllocator.Allocate(viewer, 1_800_000, Now, mayPause: true); // 40 + 150 + 1500

        Assert.Equal([0, 2], Layered(viewer, video));
        Assert.Equal(StreamAllocator.Reason.Preferred, video[0].AllocationReason);
    }

    [Fact]
    public void A_paused_track_resumes_only_with_the_headroom_of_a_switch_up()
    {
        var (viewer, video) = Viewer(videoTracks: 1);
        // 40 + 150 does not fit
        StreamAllocator.Allocate(viewer, 150_000, Now - StreamAllocator.PauseAfterMs, mayPause: true);
        Assert.False(video[0].Paused); // not yet: the estimate may only have dipped
        Assert.Equal(0, video[0].AllocatedLayer);
        StreamAllocator.Allocate(viewer, 150_000, Now - 1, mayPause: true);
        Assert.False(video[0].Paused);
        StreamAllocator.Allocate(viewer, 150_000, Now, mayPause: true);
        Assert.True(video[0].Paused);
        Assert.Equal(1, video[0].Pauses);

        StreamAllocator.Allocate(viewer, 195_000, Now, mayPause: true); // fits, but not with 15 % headroom: no flapping
        Assert.True(video[0].Paused);

        StreamAllocator.Allocate(viewer, 215_000, Now, mayPause: true); // 40 + 150 × 1.15
        Assert.False(video[0].Paused);
        Assert.Equal([0], Layered(viewer, video));

        StreamAllocator.Allocate(viewer, 0, Now, mayPause: true); // the estimate is gone: nothing is capped or paused
        Assert.Equal([2], Layered(viewer, video));
        Assert.Equal(1, video[0].Pauses);
    }

    [Fact]
    public void A_paused_track_forwards_nothing()
    {
        var (viewer, video) = Viewer(videoTracks: 1);
        AllocateSteadily(viewer, 100_000);

        for (int layer = 0; layer < 3; layer++)
        {
            var decision = video[0].Decide(layer, 0, keyFrameStart: true, Now);
            Assert.Equal(MobZ.Munit.Simulcast.LayerDecision.Drop, decision);
        }
    }
}
