using MobZ.Munit.Simulcast;

namespace MobZ.Munit.Routing;

/// <summary>
/// How one viewer's bandwidth estimate is shared among its tracks (LiveKit's stream allocator, in small): audio
/// first (what each audio track brings in; audio is never paused); then every video track its lowest flowing layer,
/// in the order the viewer's tracks were added, a track whose lowest layer does not fit in what is left being paused
/// once that has lasted <see cref="PauseAfterMs"/>; then, round after round, each track one layer up toward the
/// layer the viewer asked for while the step fits (a switch up needs the selector's headroom). Each video track's
/// share is what its layer needs plus what is left over, which by construction is less than any track's next step:
/// the track's selector then lands on exactly the allocated layer. A paused track resumes when its lowest layer fits
/// with the same headroom, so a viewer at the edge does not flap. Run on every tick (layer bitrates move);
/// allocation-free.
/// </summary>
public static class StreamAllocator
{
    /// <summary>How long a track's lowest layer must go on not fitting before the track is paused: an estimate
    /// that dips for a moment, or a layer's bitrate swelling with a key frame, must not cost the viewer a pause and a
    /// key frame to resume. Until then the track keeps its lowest layer, over the budget.</summary>
    public const long PauseAfterMs = 2000;

    /// <summary>Why a video track is where it is (stats and logs).</summary>
    public enum Reason : byte
    {
        /// <summary>No estimate caps the viewer: the track follows the viewer's choice.</summary>
        Uncapped,

        /// <summary>The layer the viewer asked for fits.</summary>
        Preferred,

        /// <summary>A higher layer would not fit in the estimate.</summary>
        Bandwidth,

        /// <summary>Not even the lowest layer fits: nothing is forwarded until it does.</summary>
        Paused,
    }

    /// <summary>Shares <paramref name="estimate"/> (bit/s; 0: none, nothing capped) among the viewer's
    /// tracks.</summary>
    /// <param name="mayPause">whether a track may be paused: only while the estimate can find the room again with
    /// the video gone (probing, for a transport-cc viewer). A receiver's REMB follows what reaches it, so with only
    /// audio flowing it would never rise again, and the video would stay paused for good: such a viewer keeps its
    /// tracks' lowest layers instead.</param>
    /// <returns>what is left after every track got its layer (bit/s; 0 without an estimate).</returns>
    public static long Allocate(Subscriber viewer, long estimate, long nowMs, bool mayPause)
    {
        var consumers = viewer.Consumers;
        if (estimate <= 0)
        {
            foreach (var c in consumers)
            {
                if (c.Producer.Kind != MediaKind.Video)
                    continue;
                c.AllocatedLayer = -1;
                c.UnfitSinceMs = -1;
                c.AllocationReason = Reason.Uncapped;
                c.SetPaused(false, nowMs);
                c.SetBandwidth(0);
            }
            return 0;
        }

        long budget = estimate;
        foreach (var c in consumers)
        {
            if (c.Producer.Kind != MediaKind.Video)
                budget -= c.Producer.Bitrate(0, nowMs);
        }

        // 1. Every video track its lowest layer, or paused (a paused track needs a switch up's headroom to resume).
        foreach (var c in consumers)
        {
            if (c.Producer.Kind != MediaKind.Video)
                continue;
            int lowest = c.LowestLayer(nowMs);
            long need = lowest < 0 ? 0 : c.LayerNeed(lowest, nowMs);
            long resumeNeed = c.Paused ? (long)(need * SimulcastSelector.UpgradeHeadroom) : need;
            bool fits = lowest < 0 || resumeNeed <= budget;
            if (fits)
                c.UnfitSinceMs = -1;
            else if (c.UnfitSinceMs < 0 || c.UnfitSinceMs > nowMs)
                c.UnfitSinceMs = nowMs;
            if (!fits && mayPause && (c.Paused || nowMs - c.UnfitSinceMs >= PauseAfterMs))
            {
                c.AllocatedLayer = -1;
                c.AllocationReason = Reason.Paused;
                continue;
            }
            c.AllocatedLayer = lowest;
            c.AllocationReason = Reason.Bandwidth;
            budget -= need;
        }

        // 2. One layer up at a time, round after round, while a step fits.
        bool moved = true;
        while (moved)
        {
            moved = false;
            foreach (var c in consumers)
            {
                if (c.Producer.Kind != MediaKind.Video || c.AllocatedLayer < 0)
                    continue;
                int next = c.NextLayerUp(c.AllocatedLayer, nowMs);
                if (next < 0)
                    continue;
                long step = c.LayerNeed(next, nowMs) - c.LayerNeed(c.AllocatedLayer, nowMs);
                if (step > budget)
                    continue;
                budget -= step;
                c.AllocatedLayer = next;
                moved = true;
            }
        }

        // 3. Shares: the layer's need plus what is left (less than any next step, so the selector stays put).
        foreach (var c in consumers)
        {
            if (c.Producer.Kind != MediaKind.Video)
                continue;
            bool paused = c.AllocationReason == Reason.Paused;
            c.SetPaused(paused, nowMs);
            if (paused)
            {
                c.SetBandwidth(1);
                continue;
            }
            if (c.AllocatedLayer < 0 || c.NextLayerUp(c.AllocatedLayer, nowMs) < 0)
                c.AllocationReason = Reason.Preferred;
            long need = c.AllocatedLayer < 0 ? 0 : c.LayerNeed(c.AllocatedLayer, nowMs);
            c.SetBandwidth(Math.Max(1, need + budget));
        }
        return Math.Max(0, budget);
    }
}
