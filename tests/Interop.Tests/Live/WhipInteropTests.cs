using System.Net;
using System.Text.Json;
using MobZ.Access;
using MobZ.TestKit;
using MobZ.TestKit.Aiortc;
using Xunit.Abstractions;

namespace MobZ.Interop.Tests.Live;

/// <summary>
/// Issue 12, WHIP ingest for p2m: two WHIP clients nobody here wrote the WebRTC of — aiortc, and Chromium on another
/// origin (so CORS is exercised) — publish into a p2m room on the local stack with a bearer token, without our
/// signaling. The room's LL-HLS playlist fills with segments, and DELETE on the session URL ends it with ENDLIST.
/// </summary>
[Trait("Category", "Interop")]
[Collection(StackCollection.Name)]
public sealed class WhipInteropTests(StackFixture stack, ITestOutputHelper output) : IAsyncLifetime
{
    public Task InitializeAsync() => stack.ClosePagesAsync();

    public Task DisposeAsync() => stack.ClosePagesAsync();

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>A WHIP client's POST, as a page function <c>whipPost(pc, endpoint, token)</c>: the offer with every
    /// candidate (no trickle), the answer applied on 201; the session is left in <c>window.whip</c>.</summary>
    private const string WhipPost = """
        async function whipPost(pc, endpoint, token) {
          await pc.setLocalDescription(await pc.createOffer());
          if (pc.iceGatheringState !== 'complete') {
            await new Promise(resolve => pc.addEventListener('icegatheringstatechange', () => {
              if (pc.iceGatheringState === 'complete') resolve();
            }));
          }
          const response = await fetch(endpoint, {
            method: 'POST',
            headers: { 'Content-Type': 'application/sdp', 'Authorization': 'Bearer ' + token },
            body: pc.localDescription.sdp,
          });
          const answer = await response.text();
          const location = response.headers.get('Location');
          window.whip = { pc, session: location && new URL(location, endpoint).href, token };
          if (response.status === 201) await pc.setRemoteDescription({ type: 'answer', sdp: answer });
          return { status: response.status, location, contentType: response.headers.get('Content-Type'), answer };
        }
        """;

    private string PublishToken(string room) => stack.Stack.AccessToken(room, AccessGrant.P2mPublish, "whip-client");

    [Fact]
    public async Task An_aiortc_WHIP_client_publishes_into_LL_HLS_and_its_DELETE_ends_the_playlist()
    {
        var room = "whip-aiortc-" + Guid.NewGuid().ToString("N")[..8];
        var endpoint = new Uri(stack.Stack.BaseUrl, $"/whip/{room}");
        using var client = new AiortcPeer("Live/aiortc_whip_client.py", [endpoint.ToString(), PublishToken(room)]);

        var whip = await client.ReadAsync("whip", Timeout);
        output.WriteLine(
            $"aiortc got {whip.GetProperty("status").GetInt32()}, Location {whip.GetProperty("location")}"
        );
        AssertCreated(whip.GetProperty("status").GetInt32(), whip.GetProperty("location").GetString(), room);
        Assert.StartsWith("application/sdp", whip.GetProperty("contentType").GetString(), StringComparison.Ordinal);
        AssertIceLiteAnswerWithCandidates(whip.GetProperty("answer").GetString()!);
        string state;
        do
        {
            state = (await client.ReadAsync("state", Timeout)).GetString()!;
        } while (state is "new" or "connecting");
        Assert.Equal("connected", state);

        using var http = new HttpClient { BaseAddress = stack.Stack.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        await WaitForSegmentsAsync(http, room);

        await client.SendAsync("command", "delete");
        Assert.Equal(200, (await client.ReadAsync("deleted", Timeout)).GetInt32());
        await WaitForEndListAsync(http, room);
    }

    [Fact]
    public async Task A_Chromium_WHIP_client_on_another_origin_publishes_into_LL_HLS_and_its_DELETE_ends_the_playlist()
    {
        var room = "whip-chromium-" + Guid.NewGuid().ToString("N")[..8];
        // The page is served from localhost and the endpoint is 127.0.0.1: another origin, so the browser sends CORS
        // preflights for the Authorization header and only reads Location because the endpoint exposes it.
        var page = await stack.Browser.NewPageAsync();
        await page.GotoAsync($"http://localhost:{stack.Stack.BaseUrl.Port}/room/index.html");
        await page.AddScriptTagAsync(new() { Content = WhipPost });
        var endpoint = new Uri(stack.Stack.BaseUrl, $"/whip/{room}").ToString();

        var posted = await page.EvaluateAsync<JsonElement>(
            """
            async ({ endpoint, token }) => {
              const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } });
              const pc = new RTCPeerConnection();
              for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly' });
              return await whipPost(pc, endpoint, token);
            }
            """,
            new { endpoint, token = PublishToken(room) }
        );
        output.WriteLine(
            $"Chromium got {posted.GetProperty("status").GetInt32()}, Location {posted.GetProperty("location")}"
        );
        AssertCreated(posted.GetProperty("status").GetInt32(), posted.GetProperty("location").GetString(), room);
        Assert.StartsWith("application/sdp", posted.GetProperty("contentType").GetString(), StringComparison.Ordinal);
        AssertIceLiteAnswerWithCandidates(posted.GetProperty("answer").GetString()!);
        await Eventually.WaitUntilAsync(
            async () => await page.EvaluateAsync<string>("() => window.whip.pc.connectionState") == "connected",
            Timeout,
            "Chromium's peer connection to the Munit is connected"
        );

        using var http = new HttpClient { BaseAddress = stack.Stack.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        await WaitForSegmentsAsync(http, room);

        var deleted = await page.EvaluateAsync<int>(
            """
            async () => (await fetch(window.whip.session, {
              method: 'DELETE',
              headers: { 'Authorization': 'Bearer ' + window.whip.token },
            })).status
            """
        );
        Assert.Equal(200, deleted);
        await WaitForEndListAsync(http, room);
    }

    /// <summary>
    /// Issue 12, WHIP with simulcast: a WHIP client whose offer sends three simulcast layers (Chromium, rids l/m/h as
    /// the demo room page sends them, H.264 first) gets the adaptive ladder, one rendition per layer, as a p2m
    /// publisher on our signaling does: the WHIP answer accepts the simulcast and the packager sees every layer.
    /// </summary>
    [Fact]
    public async Task A_Chromium_WHIP_client_sending_simulcast_gets_one_LL_HLS_rendition_per_layer()
    {
        var room = "whip-simulcast-" + Guid.NewGuid().ToString("N")[..8];
        var page = await stack.Browser.NewPageAsync();
        await page.GotoAsync(stack.Page("/room/index.html").ToString());
        await page.AddScriptTagAsync(new() { Content = WhipPost });
        var endpoint = new Uri(stack.Stack.BaseUrl, $"/whip/{room}").ToString();
        var posted = await page.EvaluateAsync<JsonElement>(
            """
            async ({ endpoint, token }) => {
              const stream = await navigator.mediaDevices.getUserMedia({
                audio: true,
                video: { width: 960, height: 540, frameRate: 15 },
              });
              const pc = new RTCPeerConnection();
              const [audio] = stream.getAudioTracks();
              const [video] = stream.getVideoTracks();
              pc.addTransceiver(audio, { direction: 'sendonly' });
              const transceiver = pc.addTransceiver(video, {
                direction: 'sendonly',
                sendEncodings: [
                  { rid: 'l', scaleResolutionDownBy: 4, maxBitrate: 150000 },
                  { rid: 'm', scaleResolutionDownBy: 2, maxBitrate: 500000 },
                  { rid: 'h', maxBitrate: 1500000 },
                ],
              });
              const codecs = RTCRtpSender.getCapabilities('video').codecs;
              const h264 = (c) => c.mimeType === 'video/H264' && /packetization-mode=1/.test(c.sdpFmtpLine ?? '');
              transceiver.setCodecPreferences([...codecs.filter(h264), ...codecs.filter((c) => !h264(c))]);
              return await whipPost(pc, endpoint, token);
            }
            """,
            new { endpoint, token = PublishToken(room) }
        );
        AssertCreated(posted.GetProperty("status").GetInt32(), posted.GetProperty("location").GetString(), room);
        string answer = posted.GetProperty("answer").GetString()!;
        output.WriteLine(answer);
        Assert.Contains("a=simulcast:recv", answer, StringComparison.Ordinal);
        await Eventually.WaitUntilAsync(
            async () => await page.EvaluateAsync<string>("() => window.whip.pc.connectionState") == "connected",
            Timeout,
            "Chromium's peer connection to the Munit is connected"
        );

        using var http = new HttpClient { BaseAddress = stack.Stack.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        var multivariant = $"/hls/{room}/t/{stack.Stack.AccessToken(room, AccessGrant.Subscribe)}/index.m3u8";
        string text = "";
        string[] resolutions = [];
        await Eventually.WaitUntilAsync(
            async () =>
            {
                using var response = await http.GetAsync(multivariant);
                if (response.StatusCode != HttpStatusCode.OK)
                    return false;
                text = await response.Content.ReadAsStringAsync();
                resolutions = System
                    .Text.RegularExpressions.Regex.Matches(text, "RESOLUTION=(\\d+x\\d+)")
                    .Select(m => m.Groups[1].Value)
                    .Distinct()
                    .ToArray();
                return resolutions.Length >= 3;
            },
            Timeout,
            "the multivariant playlist lists a rendition per simulcast layer, each with its own RESOLUTION"
        );
        output.WriteLine(text);
        // Each rendition's media playlist fills with segments of its own.
        foreach (var uri in text.Split('\n').Where(l => l.EndsWith(".m3u8", StringComparison.Ordinal)))
        {
            var media = multivariant.Replace("index.m3u8", uri, StringComparison.Ordinal);
            await Eventually.WaitUntilAsync(
                async () =>
                    (await http.GetStringAsync(media))
                        .Split('\n')
                        .Count(l => l.StartsWith("#EXTINF:", StringComparison.Ordinal)) >= 2,
                Timeout,
                $"{uri} lists two complete segments"
            );
        }
    }

    private static void AssertCreated(int status, string? location, string room)
    {
        Assert.Equal(201, status);
        Assert.NotNull(location);
        Assert.StartsWith($"/whip/{room}/whip-", location, StringComparison.Ordinal);
    }

    /// <summary>The Munit is ICE-lite and needs no trickle: its answer says so and carries its candidates.</summary>
    private static void AssertIceLiteAnswerWithCandidates(string answer)
    {
        Assert.Contains("a=ice-lite", answer, StringComparison.Ordinal);
        Assert.Contains("a=candidate:", answer, StringComparison.Ordinal);
        Assert.Contains("H264/90000", answer, StringComparison.Ordinal);
    }

    private string MediaPlaylist(string room) =>
        $"/hls/{room}/t/{stack.Stack.AccessToken(room, AccessGrant.Subscribe)}/media.m3u8";

    private async Task WaitForSegmentsAsync(HttpClient http, string room)
    {
        string playlist = "";
        await Eventually.WaitUntilAsync(
            async () =>
            {
                using var response = await http.GetAsync(MediaPlaylist(room));
                if (response.StatusCode != HttpStatusCode.OK)
                    return false;
                playlist = await response.Content.ReadAsStringAsync();
                return playlist.Split('\n').Count(l => l.StartsWith("#EXTINF:", StringComparison.Ordinal)) >= 2;
            },
            Timeout,
            "the room's LL-HLS playlist lists two complete segments"
        );
        Assert.DoesNotContain("#EXT-X-ENDLIST", playlist, StringComparison.Ordinal);
        output.WriteLine(playlist);
    }

    private async Task WaitForEndListAsync(HttpClient http, string room) =>
        await Eventually.WaitUntilAsync(
            async () =>
            {
                using var response = await http.GetAsync(MediaPlaylist(room));
                return response.StatusCode == HttpStatusCode.OK
                    && (await response.Content.ReadAsStringAsync()).Contains(
                        "#EXT-X-ENDLIST",
                        StringComparison.Ordinal
                    );
            },
            Timeout,
            "the playlist ends (EXT-X-ENDLIST) after the WHIP session was deleted"
        );
}
