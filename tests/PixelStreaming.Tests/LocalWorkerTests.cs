using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MobZ.LocalStack.PixelStreaming;
using MobZ.PixelStreaming.Workers;
using MobZ.TestKit;
using MobZ.TestKit.Time;

namespace MobZ.PixelStreaming.Tests;

/// <summary>The local streaming worker over real HTTP, through the same client the signaling server uses.</summary>
public sealed class LocalWorkerTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private LocalStreamingWorker _worker = null!;
    private int _restarts;

    public Task InitializeAsync()
    {
        _worker = new LocalStreamingWorker(
            $"test-{Guid.NewGuid():N}",
            () =>
            {
                Interlocked.Increment(ref _restarts);
                return Task.CompletedTask;
            },
            NullLogger.Instance
        );
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        _http.Dispose();
    }

    private HttpStreamingWorkerClient Client() => new(_http, new PixelStreamingOptions());

    [Fact]
    public async Task Load_project_is_handed_to_the_streamer_page_through_its_long_poll()
    {
        var poll = _http.GetFromJsonAsync<JsonElement>(new Uri(_worker.Url, "poll?seq=0"));
        var load = await Client()
            .LoadProjectAsync(
                _worker.Url,
                new LoadProjectRequest("p1", "https://p.example.test/a.uproject"),
                CancellationToken.None
            );
        Assert.Equal(200, load.StatusCode);
        var state = await poll.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("https://p.example.test/a.uproject", state.GetProperty("projectUrl").GetString());
        Assert.Equal("p1", state.GetProperty("playerId").GetString());
    }

    [Fact]
    public async Task Save_project_writes_a_snapshot_file_and_reports_its_path()
    {
        await Client()
            .LoadProjectAsync(
                _worker.Url,
                new LoadProjectRequest("p2", "https://p.example.test/b.uproject"),
                CancellationToken.None
            );
        var saved = await Client()
            .SaveProjectAsync(_worker.Url, new SaveProjectRequest("p2", null), CancellationToken.None);
        Assert.Equal(200, saved.StatusCode);
        var path = JsonDocument.Parse(saved.Body).RootElement.GetProperty("path").GetString()!;
        var snapshot = JsonDocument.Parse(await File.ReadAllTextAsync(path)).RootElement;
        Assert.Equal("https://p.example.test/b.uproject", snapshot.GetProperty("projectUrl").GetString());
    }

    [Fact]
    public async Task A_snapshot_is_stamped_and_named_by_the_worker_clock()
    {
        var savedAt = new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero);
        await using var worker = new LocalStreamingWorker(
            $"test-{Guid.NewGuid():N}",
            () => Task.CompletedTask,
            NullLogger.Instance,
            new FakeTimeProvider(savedAt)
        );
        var saved = await Client()
            .SaveProjectAsync(
                worker.Url,
                new SaveProjectRequest("p4", "https://p.example.test/c.uproject"),
                CancellationToken.None
            );
        Assert.Equal(200, saved.StatusCode);
        var result = JsonDocument.Parse(saved.Body).RootElement;
        Assert.Equal(savedAt, result.GetProperty("savedAt").GetDateTimeOffset());
        Assert.EndsWith(
            $"save-{savedAt.ToUnixTimeMilliseconds()}.json",
            result.GetProperty("path").GetString(),
            StringComparison.Ordinal
        );
    }

    [Fact]
    public async Task A_long_poll_with_nothing_new_answers_the_current_state_after_20_s_of_the_worker_clock()
    {
        var time = new TimerCountingTimeProvider();
        await using var worker = new LocalStreamingWorker(
            $"test-{Guid.NewGuid():N}",
            () => Task.CompletedTask,
            NullLogger.Instance,
            time
        );
        var first = await _http.GetFromJsonAsync<JsonElement>(new Uri(worker.Url, "poll?seq=-1"));
        long seq = first.GetProperty("seq").GetInt64();

        var poll = _http.GetFromJsonAsync<JsonElement>(new Uri(worker.Url, $"poll?seq={seq}"));
        await Eventually.WaitUntilAsync(
            () => time.LiveTimers > 0,
            TimeSpan.FromSeconds(30),
            "the poll waits on the worker clock"
        );
        time.Advance(TimeSpan.FromSeconds(19));
        Assert.False(poll.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        var state = await poll.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(seq, state.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task Generate_video_starts_a_render_job_the_page_is_told_about_and_can_upload_to()
    {
        var render = await Client()
            .GenerateVideoAsync(
                _worker.Url,
                new GenerateVideoRequest("p3", JsonDocument.Parse("{\"durationMs\":1200}").RootElement),
                CancellationToken.None
            );
        Assert.Equal(202, render.StatusCode);
        var jobId = JsonDocument.Parse(render.Body).RootElement.GetProperty("jobId").GetString()!;
        var state = await _http.GetFromJsonAsync<JsonElement>(new Uri(_worker.Url, "poll?seq=0"));
        Assert.Equal(jobId, state.GetProperty("render").GetProperty("jobId").GetString());
        Assert.Equal(1200, state.GetProperty("render").GetProperty("durationMs").GetInt32());

        var upload = await _http.PostAsync(
            new Uri(_worker.Url, $"videos/{jobId}"),
            new ByteArrayContent(new byte[4096])
        );
        Assert.Equal(204, (int)upload.StatusCode);
        var job = await _http.GetFromJsonAsync<JsonElement>(new Uri(_worker.Url, $"jobs/{jobId}"));
        Assert.Equal("done", job.GetProperty("status").GetString());
        Assert.Equal(4096, job.GetProperty("bytes").GetInt64());
        Assert.Equal(
            404,
            (int)(await _http.PostAsync(new Uri(_worker.Url, "videos/unknown"), new ByteArrayContent([1]))).StatusCode
        );
    }

    [Fact]
    public async Task Disconnect_answers_then_restarts_the_instance()
    {
        var bye = await Client()
            .DisconnectAsync(_worker.Url, new DisconnectRequest("p4", "player disconnected"), CancellationToken.None);
        Assert.Equal(200, bye.StatusCode);
        await TestKit.Eventually.WaitUntilAsync(
            () => Volatile.Read(ref _restarts) == 1,
            TimeSpan.FromSeconds(10),
            "the instance restarted"
        );
    }

    [Fact]
    public async Task Unreachable_worker_is_a_502_answer_not_an_exception()
    {
        var port = _worker.Port;
        await _worker.DisposeAsync();
        var result = await Client()
            .LoadProjectAsync(
                new Uri($"http://127.0.0.1:{port}/"),
                new LoadProjectRequest("p", "https://x.test/"),
                CancellationToken.None
            );
        Assert.Equal(502, result.StatusCode);
        _worker = new LocalStreamingWorker($"test-{Guid.NewGuid():N}", () => Task.CompletedTask, NullLogger.Instance);
    }
}
