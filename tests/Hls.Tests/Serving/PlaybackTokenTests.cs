using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MobZ.Access;
using MobZ.Hls.Tests.Fixtures;
using MobZ.State;

namespace MobZ.Hls.Tests.Serving;

/// <summary>
/// LL-HLS playback behind access tokens, over real Kestrel: refused without a valid token for the room with the
/// subscribe grant (401/403, not cached by a CDN, readable by a player on another origin, counted), and served —
/// playlists and every file they name — through the tokened path.
/// </summary>
public sealed class PlaybackTokenTests
{
    private const string Secret = "hls-playback-test-secret-0123456789abcdef";

    private static void Fast(HlsOptions o)
    {
        o.PartTarget = TimeSpan.FromMilliseconds(100);
        o.SegmentTarget = TimeSpan.FromMilliseconds(400);
        o.PlaylistSegments = 10;
    }

    private static AccessTokenIssuer Issuer(string secret = Secret, TimeProvider? time = null) =>
        new(new AccessTokenOptions { HmacSecret = secret }, time ?? TimeProvider.System);

    private static string Token(string room, AccessGrant grants = AccessGrant.Join | AccessGrant.Subscribe) =>
        Issuer().Issue("viewer-1", room, grants, TimeSpan.FromHours(1));

    /// <summary>A server that requires playback tokens, with one stream of three segments and a part.</summary>
    private static async Task<(IStateBackend Backend, HlsTestServer Server, string Stream)> StartAsync(
        bool requireToken = true
    )
    {
        IStateBackend backend = await StateBackend.CreateAsync(null, NullLoggerFactory.Instance);
        HlsTestServer server = await HlsTestServer.StartAsync(
            backend,
            Fast,
            s => s.AddMobZAccess(o => o.HmacSecret = Secret),
            requirePlaybackToken: requireToken
        );
        string stream = $"room-{Guid.NewGuid():N}";
        var options = new HlsOptions();
        Fast(options);
        var publisher = new SyntheticPublisher(stream, backend, options);
        await publisher.InitAsync();
        await publisher.SegmentsAsync(3, parts: 4);
        await publisher.PartAsync();
        return (backend, server, stream);
    }

    /// <summary>Every kind of URL a player asks for, under <paramref name="root"/> (<c>/hls/{stream}/</c> or its
    /// tokened form).</summary>
    private static async Task<List<string>> PlayerUrlsAsync(HlsTestServer server, string stream)
    {
        // The file names come from an open server's playlist: the same store, read without a token.
        await using HlsTestServer open = await HlsTestServer.StartAsync(
            server.Services.GetRequiredService<IStateBackend>(),
            Fast
        );
        ParsedPlaylist p = ParsedPlaylist.Parse(await open.Client.GetStringAsync($"/hls/{stream}/media.m3u8"));
        return
        [
            "index.m3u8",
            "media.m3u8",
            "media.m3u8?_HLS_msn=1",
            p.Segments[0].Map!,
            p.Complete.First().Uri!,
            p.Segments[^1].Parts[0].Uri,
        ];
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string because)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(
            status == response.StatusCode,
            $"{response.RequestMessage!.RequestUri!.PathAndQuery}: {(int)response.StatusCode} {body}, expected {(int)status} ({because})"
        );
        Assert.Contains(because, body);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        if (status == HttpStatusCode.Unauthorized)
        {
            Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        }
    }

    [Fact]
    public async Task Without_a_token_every_playlist_and_media_file_is_refused_with_401()
    {
        var (backend, server, stream) = await StartAsync();
        await using var _ = backend;
        await using var __ = server;

        foreach (string url in await PlayerUrlsAsync(server, stream))
        {
            using HttpResponseMessage response = await server.Client.GetAsync($"/hls/{stream}/{url}");
            await AssertRefusedAsync(response, HttpStatusCode.Unauthorized, "needs an access token");
        }

        // Nothing about which streams exist leaks to a caller without a token.
        using HttpResponseMessage unknown = await server.Client.GetAsync("/hls/nobody/index.m3u8");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
    }

    [Fact]
    public async Task A_token_with_a_bad_signature_is_refused_with_401()
    {
        var (backend, server, stream) = await StartAsync();
        await using var _ = backend;
        await using var __ = server;
        string forged = Issuer("another-secret-that-is-also-32-bytes-long!")
            .Issue("viewer-1", stream, AccessGrant.Subscribe, TimeSpan.FromHours(1));

        foreach (string url in await PlayerUrlsAsync(server, stream))
        {
            using HttpResponseMessage response = await server.Client.GetAsync($"/hls/{stream}/t/{forged}/{url}");
            await AssertRefusedAsync(response, HttpStatusCode.Unauthorized, "bad signature");
        }

        using HttpResponseMessage garbage = await server.Client.GetAsync($"/hls/{stream}/t/not-a-jwt/index.m3u8");
        await AssertRefusedAsync(garbage, HttpStatusCode.Unauthorized, "malformed token");
    }

    [Fact]
    public async Task An_expired_token_is_refused_with_401()
    {
        var (backend, server, stream) = await StartAsync();
        await using var _ = backend;
        await using var __ = server;
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromHours(2));
        string expired = Issuer(time: past).Issue("viewer-1", stream, AccessGrant.Subscribe, TimeSpan.FromHours(1));

        using HttpResponseMessage response = await server.Client.GetAsync($"/hls/{stream}/t/{expired}/index.m3u8");
        await AssertRefusedAsync(response, HttpStatusCode.Unauthorized, "token expired");
    }

    [Fact]
    public async Task A_token_for_another_room_is_refused_with_403()
    {
        var (backend, server, stream) = await StartAsync();
        await using var _ = backend;
        await using var __ = server;

        foreach (string room in (string[])["other-room", "other-*", stream + "-2"])
        {
            foreach (string url in await PlayerUrlsAsync(server, stream))
            {
                using HttpResponseMessage response = await server.Client.GetAsync(
                    $"/hls/{stream}/t/{Token(room)}/{url}"
                );
                await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "another room");
            }
        }
    }

    [Fact]
    public async Task A_token_without_the_subscribe_grant_is_refused_with_403()
    {
        var (backend, server, stream) = await StartAsync();
        await using var _ = backend;
        await using var __ = server;
        string publisher = Token(
            stream,
            AccessGrant.Join | AccessGrant.Publish | AccessGrant.P2mPublish | AccessGrant.Admin
        );

        foreach (string url in await PlayerUrlsAsync(server, stream))
        {
            using HttpResponseMessage response = await server.Client.GetAsync($"/hls/{stream}/t/{publisher}/{url}");
            await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "does not grant subscribe");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_valid_token_in_the_path_serves_the_playlists_and_every_file_they_name_by_relative_uri(
        bool roomPrefix
    )
    {
        var (backend, server, stream) = await StartAsync();
        await using var _ = backend;
        await using var __ = server;
        string token = Token(roomPrefix ? "room-*" : stream);
        var multivariant = new Uri(server.Client.BaseAddress!, $"/hls/{stream}/t/{token}/index.m3u8");

        // Followed as a player does: each URI resolved against the URL of the playlist that names it.
        string index = await server.Client.GetStringAsync(multivariant);
        var media = new Uri(multivariant, index.Split('\n').Single(l => l.EndsWith(".m3u8", StringComparison.Ordinal)));
        Assert.StartsWith($"/hls/{stream}/t/{token}/", media.AbsolutePath);
        ParsedPlaylist p = ParsedPlaylist.Parse(await server.Client.GetStringAsync(media));
        ParsedPlaylist blocking = ParsedPlaylist.Parse(
            await server.Client.GetStringAsync(new Uri(media, "media.m3u8?_HLS_msn=3&_HLS_part=0"))
        );
        Assert.Equal(p.Segments.Count, blocking.Segments.Count);

        Assert.Equal("init"u8.ToArray(), await server.Client.GetByteArrayAsync(new Uri(media, p.Segments[0].Map!)));
        foreach (ParsedPlaylist.Segment segment in p.Segments)
        {
            for (int i = 0; i < segment.Parts.Count; i++)
            {
                Assert.Equal(
                    SyntheticPublisher.PartBytes(segment.Msn, i),
                    await server.Client.GetByteArrayAsync(new Uri(media, segment.Parts[i].Uri))
                );
            }

            if (segment.Uri is { } uri)
            {
                using HttpResponseMessage whole = await server.Client.GetAsync(new Uri(media, uri));
                Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
                Assert.Equal("public, max-age=31536000, immutable", whole.Headers.CacheControl?.ToString());
            }
        }

        string hint = ParsedPlaylist.Attributes(Assert.Single(p.PreloadHints))["URI"];
        Assert.StartsWith($"/hls/{stream}/t/{token}/", new Uri(media, hint).AbsolutePath);
    }

    [Fact]
    public async Task A_token_in_the_query_of_the_multivariant_playlist_is_carried_into_the_path_of_the_media_playlist()
    {
        var (backend, server, stream) = await StartAsync();
        await using var _ = backend;
        await using var __ = server;
        string token = Token(stream);
        var multivariant = new Uri(server.Client.BaseAddress!, $"/hls/{stream}/index.m3u8?token={token}");

        using HttpResponseMessage indexResponse = await server.Client.GetAsync(multivariant);
        string index = await indexResponse.Content.ReadAsStringAsync();
        // Let in by its query, not its path: no shared cache may keep it (one keyed on the path would serve anyone).
        Assert.True(
            indexResponse.Headers.CacheControl is { Private: true, Public: false },
            $"Cache-Control: {indexResponse.Headers.CacheControl}"
        );
        var media = new Uri(multivariant, index.Split('\n').Single(l => l.EndsWith(".m3u8", StringComparison.Ordinal)));
        Assert.Equal($"/hls/{stream}/t/{token}/media.m3u8", media.AbsolutePath);
        ParsedPlaylist p = ParsedPlaylist.Parse(await server.Client.GetStringAsync(media));
        Assert.Equal("init"u8.ToArray(), await server.Client.GetByteArrayAsync(new Uri(media, p.Segments[0].Map!)));

        using HttpResponseMessage withoutHeader = await server.Client.GetAsync($"/hls/{stream}/media.m3u8");
        Assert.Equal(HttpStatusCode.Unauthorized, withoutHeader.StatusCode);
        // A player told to send the token as a bearer header needs no token in the URL at all.
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/hls/{stream}/media.m3u8");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using HttpResponseMessage withHeader = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, withHeader.StatusCode);
        Assert.True(
            withHeader.Headers.CacheControl is { Private: true, Public: false },
            $"Cache-Control: {withHeader.Headers.CacheControl}"
        );
    }

    [Fact]
    public async Task Refusals_are_counted_by_reason()
    {
        var (backend, server, stream) = await StartAsync();
        await using var _ = backend;
        await using var __ = server;
        var counted = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == HlsMetrics.MeterName && instrument.Name == "mobz.hls.playback.refused")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>(
            (_, value, tags, _) =>
            {
                foreach (KeyValuePair<string, object?> tag in tags)
                {
                    if (tag.Key == "reason")
                    {
                        lock (counted)
                        {
                            counted[(string)tag.Value!] = counted.GetValueOrDefault((string)tag.Value!) + value;
                        }
                    }
                }
            }
        );
        listener.Start();
        string expired = Issuer(time: new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromHours(2)))
            .Issue("v", stream, AccessGrant.Subscribe, TimeSpan.FromHours(1));

        (await server.Client.GetAsync($"/hls/{stream}/index.m3u8")).Dispose();
        (await server.Client.GetAsync($"/hls/{stream}/t/x.y.z/index.m3u8")).Dispose();
        (await server.Client.GetAsync($"/hls/{stream}/t/{expired}/index.m3u8")).Dispose();
        (await server.Client.GetAsync($"/hls/{stream}/t/{Token("other")}/index.m3u8")).Dispose();
        (await server.Client.GetAsync($"/hls/{stream}/t/{Token(stream, AccessGrant.Join)}/index.m3u8")).Dispose();

        // Other tests in this process may refuse too, at the same time: at least ours are counted.
        lock (counted)
        {
            foreach (string reason in (string[])["missing", "invalid", "expired", "room", "grant"])
            {
                Assert.True(
                    counted.GetValueOrDefault(reason) >= 1,
                    $"no refusal counted as {reason}: {string.Join(", ", counted)}"
                );
            }
        }
    }

    [Fact]
    public async Task With_tokens_not_required_the_tokened_and_the_plain_urls_both_play()
    {
        // The local stack: signaling may hand out tokened URLs while its HLS endpoint leaves playback open.
        var (backend, server, stream) = await StartAsync(requireToken: false);
        await using var _ = backend;
        await using var __ = server;

        Assert.Contains("media.m3u8", await server.Client.GetStringAsync($"/hls/{stream}/index.m3u8"));
        Assert.Contains(
            "#EXT-X-PART",
            await server.Client.GetStringAsync($"/hls/{stream}/t/{Token("another-room")}/media.m3u8")
        );
    }

    [Fact]
    public async Task A_host_that_requires_tokens_without_an_access_validator_fails_at_start()
    {
        await using IStateBackend backend = await StateBackend.CreateAsync(null, NullLoggerFactory.Instance);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            HlsTestServer.StartAsync(backend, _ => { }, requirePlaybackToken: true)
        );
        Assert.Contains("AddMobZAccess", error.Message);
    }
}
