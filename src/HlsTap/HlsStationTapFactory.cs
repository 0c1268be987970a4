using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MobZ.Hls;
using MobZ.Munit.Control;
using MobZ.Munit.Tap;

namespace MobZ.HlsTap;

/// <summary>
/// Feeds each HLS station (p2m) of the Munit to an LL-HLS ladder that writes parts and segments to the
/// state store, where any node serving <c>/hls</c> finds them: one rendition per simulcast layer that flows (the tap
/// takes every layer), one for a publisher without simulcast. Neither src/Munit nor src/Hls references the
/// other, so a host wires them; this is that wiring as one type. A closing station's packager writes its last
/// part and EXT-X-ENDLIST in the background (the media thread must not wait on the store); disposing the
/// factory waits for those writes, so a stopping task ends its playlists before it exits.
/// </summary>
public sealed class HlsStationTapFactory(IHlsPackagerFactory packagers, ILogger<HlsStationTapFactory> logger)
    : IStationTapFactory,
        IAsyncDisposable
{
    private readonly ConcurrentDictionary<Task, byte> _closing = new();

    public IStationTap? Create(StationDescriptor station, Action requestKeyFrame)
    {
        HlsLadder packager;
        try
        {
            packager = packagers.CreateLadder(station.RoomId);
        }
        catch (ArgumentException ex)
        {
            // A room id that is not a valid stream name: the WebRTC side still works, only HLS is off.
            logger.LogWarning(
                "Station {StationId}: no HLS for room {RoomId}: {Reason}",
                station.StationId,
                station.RoomId,
                ex.Message
            );
            return null;
        }
        packager.KeyframeNeeded += requestKeyFrame;
        logger.LogInformation("Station {StationId} feeds LL-HLS stream {Stream}", station.StationId, station.RoomId);
        return new Tap(this, packager, station.StationId);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Task.WhenAll(_closing.Keys).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("{Count} HLS streams did not finish writing their end within 10 s", _closing.Count);
        }
    }

    private void Track(Task closing, string stationId)
    {
        _closing.TryAdd(closing, 0);
        _ = closing.ContinueWith(
            t =>
            {
                _closing.TryRemove(t, out _);
                if (t.Exception is { } ex)
                {
                    logger.LogWarning(
                        ex.GetBaseException(),
                        "Station {StationId}: closing its HLS stream failed",
                        stationId
                    );
                }
            },
            TaskScheduler.Default
        );
    }

    private static HlsTrack ToHls(TapTrack track) => track == TapTrack.Video ? HlsTrack.Video : HlsTrack.Audio;

    private sealed class Tap(HlsStationTapFactory owner, HlsLadder packager, string stationId) : IStationTap
    {
        private int _disposed;

        public bool WantsLayers => true;

        /// <summary>Audio, or the video of a publisher without simulcast (the ladder's only rendition).</summary>
        public void OnRtp(TapTrack track, ReadOnlySpan<byte> packet)
        {
            if (track == TapTrack.Video)
            {
                packager.OnVideoRtp(0, packet);
            }
            else
            {
                packager.OnAudioRtp(packet);
            }
        }

        public void OnSenderReport(TapTrack track, ulong ntpTimestamp, uint rtpTimestamp) =>
            packager.OnSenderReport(ToHls(track), 0, ntpTimestamp, rtpTimestamp);

        public void OnLayerRtp(int layer, ReadOnlySpan<byte> packet) => packager.OnVideoRtp(layer, packet);

        public void OnLayerSenderReport(int layer, ulong ntpTimestamp, uint rtpTimestamp) =>
            packager.OnSenderReport(HlsTrack.Video, layer, ntpTimestamp, rtpTimestamp);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                owner.Track(packager.DisposeAsync().AsTask(), stationId);
        }
    }
}
