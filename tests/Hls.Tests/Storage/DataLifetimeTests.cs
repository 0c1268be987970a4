using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MobZ.Hls.Serving.Storage;
using MobZ.Hls.Tests.Fixtures;
using MobZ.State.InProcess;

namespace MobZ.Hls.Tests.Storage;

/// <summary>
/// Issue 12 (1): whatever a stored playlist names (init segment, segments, parts) is in the store for as long
/// as the playlist is, live and after EXT-X-ENDLIST. The store's clock is a FakeTimeProvider, so minutes of a
/// stream pass in no time.
/// </summary>
public sealed class DataLifetimeTests
{
    private static readonly HlsOptions Options = new(); // 200 ms parts, 2 s segments, TTL 87 s

    private static async Task<List<string>> MissingAsync(InProcessBackend backend, string stream)
    {
        var keys = new HlsKeys(HlsServingOptions.DefaultKeyPrefix);
        byte[]? json = await backend.Store.GetAsync(keys.Playlist(stream));
        Assert.NotNull(json);
        PlaylistDocument doc = JsonSerializer.Deserialize(json, HlsJsonContext.Default.PlaylistDocument)!;
        var missing = new List<string>();
        foreach (SegmentRecord segment in doc.Segments)
        {
            if (!await backend.Store.ExistsAsync(keys.Init(stream, segment.Session)))
            {
                missing.Add($"{segment.Session}/init.mp4");
            }

            if (
                segment.Complete && !await backend.Store.ExistsAsync(keys.Segment(stream, segment.Session, segment.Msn))
            )
            {
                missing.Add($"{segment.Msn}.m4s");
            }

            for (int p = 0; p < (segment.Parts?.Count ?? 0); p++)
            {
                if (!await backend.Store.ExistsAsync(keys.Part(stream, segment.Session, segment.Msn, p)))
                {
                    missing.Add($"{segment.Msn}.{p}.m4s");
                }
            }
        }

        return missing;
    }

    [Fact]
    public async Task Init_segment_outlives_its_time_to_live_while_the_stream_goes_on()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        await using var backend = new InProcessBackend(NullLoggerFactory.Instance, time);
        var publisher = new SyntheticPublisher("late", backend, Options);
        await publisher.InitAsync();

        // Five minutes of live stream, more than three times the data TTL.
        for (int s = 0; s < 150; s++)
        {
            for (int p = 0; p < 10; p++)
            {
                await publisher.PartAsync();
                time.Advance(Options.PartTarget);
            }

            await publisher.EndSegmentAsync();
            Assert.Equal([], await MissingAsync(backend, "late"));
        }
    }

    [Fact]
    public async Task An_ended_playlist_names_only_data_that_exists_until_it_expires_itself()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        await using var backend = new InProcessBackend(NullLoggerFactory.Instance, time);
        var publisher = new SyntheticPublisher("ended", backend, Options);
        await publisher.InitAsync();
        for (int s = 0; s < 40; s++)
        {
            for (int p = 0; p < 10; p++)
            {
                await publisher.PartAsync();
                time.Advance(Options.PartTarget);
            }

            await publisher.EndSegmentAsync();
        }

        await publisher.EndAsync();

        var keys = new HlsKeys(HlsServingOptions.DefaultKeyPrefix);
        int checks = 0;
        while (await backend.Store.ExistsAsync(keys.Playlist("ended")))
        {
            Assert.Equal([], await MissingAsync(backend, "ended"));
            time.Advance(TimeSpan.FromSeconds(5));
            checks++;
        }

        Assert.True(checks >= 10, $"the ended playlist stayed {checks * 5} s");
    }
}
