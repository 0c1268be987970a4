using System.Text.RegularExpressions;
using MobZ.Munit.Control;
using MobZ.Munit.WebRtc;
using MobZ.Rtc.Rtp;

namespace MobZ.Munit.Tests.WebRtc;

/// <summary>
/// The offers a Munit gives a viewer whose connection carries several stations: a station watched again (a
/// client that asks twice, or comes back after leaving) must not leave two m-lines claiming the same track,
/// which Chromium rejects ("Duplicate a=msid lines detected").
/// </summary>
public sealed class ViewerOfferTests : IAsyncLifetime
{
    private readonly MunitOptions _options = new() { BindAddress = "127.0.0.1", Port = 0 };
    private WebRtcMedia _media = null!;
    private MunitServer _munit = null!;

    public Task InitializeAsync()
    {
        _media = new WebRtcMedia(_options);
        _munit = new MunitServer(_options, _media);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _munit.DisposeAsync();
        _media.Dispose();
    }

    [Fact]
    public async Task A_station_watched_twice_is_offered_with_one_set_of_live_m_lines_and_unique_msids()
    {
        var offer = File.ReadAllText(
            Path.Combine(AppContext.BaseDirectory, "TestData", "chromium-simulcast-offer.sdp")
        );
        foreach (var station in new[] { "st-a", "st-b" })
        {
            Assert.True(_munit.CreateStation(new StationDescriptor(station, "room", "pub-" + station, "m2m", false)));
            var published = await _munit.HandleAsync(
                new MediaCommand(MediaOp.Publish, station, "pub-" + station) { Sdp = offer }
            );
            Assert.True(published.Ok, published.Error);
        }

        Assert.True((await _munit.HandleAsync(new MediaCommand(MediaOp.Watch, "st-a", "viewer"))).Ok);
        Assert.True((await _munit.HandleAsync(new MediaCommand(MediaOp.Watch, "st-b", "viewer"))).Ok);
        var again = await _munit.HandleAsync(new MediaCommand(MediaOp.Watch, "st-a", "viewer"));
        Assert.True(again.Ok, again.Error);

        var sections = again.Sdp!.Split("\r\nm=").Skip(1).ToList();
        var msids = sections
            .SelectMany(s =>
                Regex.Matches(s, @"^a=msid:(\S+ \S+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value)
            )
            .ToList();
        Assert.Equal(msids.Distinct().Count(), msids.Count);
        // Each station still has its audio and video live exactly once.
        foreach (var station in new[] { "st-a", "st-b" })
        {
            Assert.Equal(1, msids.Count(m => m == $"{station} {station}-audio"));
            Assert.Equal(1, msids.Count(m => m == $"{station} {station}-video"));
        }
        // The section the repeated Watch replaced stays, inactive and anonymous (m-lines are never removed).
        Assert.Contains(sections, s =>
            s.Contains("a=inactive", StringComparison.Ordinal) && !s.Contains("a=msid", StringComparison.Ordinal)
        );
    }

    [Fact]
    public async Task A_viewer_is_offered_transport_cc_on_audio_and_video()
    {
        var offer = File.ReadAllText(
            Path.Combine(AppContext.BaseDirectory, "TestData", "chromium-simulcast-offer.sdp")
        );
        Assert.True(_munit.CreateStation(new StationDescriptor("st-a", "room", "pub", "m2m", false)));
        Assert.True((await _munit.HandleAsync(new MediaCommand(MediaOp.Publish, "st-a", "pub") { Sdp = offer })).Ok);

        var watch = await _munit.HandleAsync(new MediaCommand(MediaOp.Watch, "st-a", "viewer"));

        Assert.True(watch.Ok, watch.Error);
        var sections = watch.Sdp!.Split("\r\nm=").Skip(1).ToList();
        Assert.Equal(2, sections.Count);
        foreach (var section in sections)
        {
            Assert.Contains("a=extmap:3 " + RtpExtensionValues.TransportWideCcUri, section);
            int pt = int.Parse(section.Split(' ')[3].Split('\r')[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains($"a=rtcp-fb:{pt} transport-cc", section);
        }
    }
}
