using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using MobZ.PixelStreaming.Workers;

namespace MobZ.LocalStack.PixelStreaming;

/// <summary>
/// The streaming worker of a local instance (docs/streaming-worker.md), on its own 127.0.0.1 port:
/// loadProject shows the project on the streamer page, saveProject writes a snapshot file, generateVideo
/// has the page record its stream and upload it, disconnect restarts the browser. The page long-polls
/// GET /poll for what to show and do.
/// </summary>
public sealed class LocalStreamingWorker : IAsyncDisposable
{
    private const int MaxUploadBytes = 64 * 1024 * 1024;
    private readonly HttpListener _listener = new();
    private readonly Func<Task> _restart;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _dataDirectory;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RenderJob> _jobs = new();
    private readonly Task _loop;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WorkerPageState _state = new(0, null, null, null);

    /// <param name="time">Stamps snapshots and ends a long poll after 20 s; the system clock when null.</param>
    public LocalStreamingWorker(string instanceId, Func<Task> restart, ILogger logger, TimeProvider? time = null)
    {
        _restart = restart;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _dataDirectory = Path.Combine(Path.GetTempPath(), "mobz-ps", instanceId);
        Directory.CreateDirectory(_dataDirectory);
        Port = FreePort();
        Url = new Uri($"http://127.0.0.1:{Port}/");
        _listener.Prefixes.Add(Url.AbsoluteUri);
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }
    public Uri Url { get; }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e)
                when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        response.AddHeader("Access-Control-Allow-Origin", "*");
        response.AddHeader("Access-Control-Allow-Headers", "content-type");
        response.AddHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        try
        {
            var path = request.Url?.AbsolutePath.TrimEnd('/') ?? "";
            switch (request.HttpMethod, path)
            {
                case ("OPTIONS", _):
                    response.StatusCode = 204;
                    break;
                case ("POST", "/" + WorkerOperations.LoadProject):
                    var load = await ReadAsync(request, LocalWorkerJsonContext.Default.LoadProjectRequest);
                    if (load is null || string.IsNullOrEmpty(load.ProjectUrl))
                    {
                        await WriteAsync(
                            response,
                            400,
                            new WorkerAck(false, "playerId and projectUrl required"),
                            LocalWorkerJsonContext.Default.WorkerAck
                        );
                        break;
                    }
                    Update(s => s with { PlayerId = load.PlayerId, ProjectUrl = load.ProjectUrl, Render = null });
                    _logger.LogInformation(
                        "Local worker loads {ProjectUrl} for {PlayerId}",
                        load.ProjectUrl,
                        load.PlayerId
                    );
                    await WriteAsync(
                        response,
                        200,
                        new WorkerAck(true, "loading"),
                        LocalWorkerJsonContext.Default.WorkerAck
                    );
                    break;
                case ("POST", "/" + WorkerOperations.SaveProject):
                    var save = await ReadAsync(request, LocalWorkerJsonContext.Default.SaveProjectRequest);
                    await WriteAsync(response, 200, await SaveAsync(save), LocalWorkerJsonContext.Default.SaveResult);
                    break;
                case ("POST", "/" + WorkerOperations.GenerateVideo):
                    var render = await ReadAsync(request, LocalWorkerJsonContext.Default.GenerateVideoRequest);
                    await WriteAsync(response, 202, StartRender(render), LocalWorkerJsonContext.Default.RenderJob);
                    break;
                case ("POST", "/" + WorkerOperations.Disconnect):
                    var bye = await ReadAsync(request, LocalWorkerJsonContext.Default.DisconnectRequest);
                    _logger.LogInformation("Local worker restarts its streamer after {PlayerId} left", bye?.PlayerId);
                    Update(_ => new WorkerPageState(0, null, null, null));
                    await WriteAsync(
                        response,
                        200,
                        new WorkerAck(true, "restarting"),
                        LocalWorkerJsonContext.Default.WorkerAck
                    );
                    response.Close();
                    await _restart();
                    return;
                case ("GET", "/poll"):
                    var after = long.TryParse(
                        request.QueryString["seq"],
                        NumberStyles.None,
                        CultureInfo.InvariantCulture,
                        out var n
                    )
                        ? n
                        : -1;
                    await WriteAsync(
                        response,
                        200,
                        await PollAsync(after),
                        LocalWorkerJsonContext.Default.WorkerPageState
                    );
                    break;
                case ("POST", _) when path.StartsWith("/videos/", StringComparison.Ordinal):
                    await ReceiveVideoAsync(path["/videos/".Length..], request, response);
                    break;
                case ("GET", _) when path.StartsWith("/jobs/", StringComparison.Ordinal):
                    RenderJob? job;
                    lock (_gate)
                        job = _jobs.GetValueOrDefault(path["/jobs/".Length..]);
                    if (job is null)
                        response.StatusCode = 404;
                    else
                        await WriteAsync(response, 200, job, LocalWorkerJsonContext.Default.RenderJob);
                    break;
                default:
                    response.StatusCode = 404;
                    break;
            }
        }
        catch (JsonException)
        {
            response.StatusCode = 400;
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            _logger.LogDebug(e, "Local worker request aborted");
        }
        try
        {
            response.Close();
        }
        catch (ObjectDisposedException) { }
    }

    private async Task<WorkerPageState> PollAsync(long after)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20), _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, deadline.Token);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_state.Seq != after)
                    return _state;
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                    return _state;
            }
        }
    }

    private void Update(Func<WorkerPageState, WorkerPageState> change)
    {
        TaskCompletionSource wake;
        lock (_gate)
        {
            _state = change(_state) with { Seq = _state.Seq + 1 };
            wake = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        wake.TrySetResult();
    }

    private async Task<SaveResult> SaveAsync(SaveProjectRequest? request)
    {
        WorkerPageState state;
        lock (_gate)
            state = _state;
        var now = _time.GetUtcNow();
        var result = new SaveResult(
            true,
            Path.Combine(_dataDirectory, $"save-{now.ToUnixTimeMilliseconds()}.json"),
            request?.ProjectUrl ?? state.ProjectUrl,
            request?.PlayerId ?? state.PlayerId,
            now
        );
        await File.WriteAllBytesAsync(
            result.Path,
            JsonSerializer.SerializeToUtf8Bytes(result, LocalWorkerJsonContext.Default.SaveResult)
        );
        return result;
    }

    private RenderJob StartRender(GenerateVideoRequest? request)
    {
        var duration = 3000;
        if (
            request?.Settings is { ValueKind: JsonValueKind.Object } s
            && s.TryGetProperty("durationMs", out var d)
            && d.TryGetInt32(out var ms)
        )
        {
            duration = Math.Clamp(ms, 500, 60_000);
        }

        var job = new RenderJob(Guid.NewGuid().ToString("N")[..12], "rendering", null, 0);
        lock (_gate)
            _jobs[job.JobId] = job;
        Update(st => st with { Render = new RenderCommand(job.JobId, duration) });
        return job;
    }

    private async Task ReceiveVideoAsync(string jobId, HttpListenerRequest request, HttpListenerResponse response)
    {
        lock (_gate)
        {
            if (!_jobs.ContainsKey(jobId))
            {
                response.StatusCode = 404;
                return;
            }
        }

        var path = Path.Combine(_dataDirectory, $"{jobId}.webm");
        await using (var file = File.Create(path))
        {
            var buffer = new byte[81920];
            long total = 0;
            int read;
            while ((read = await request.InputStream.ReadAsync(buffer)) > 0)
            {
                total += read;
                if (total > MaxUploadBytes)
                {
                    response.StatusCode = 413;
                    return;
                }
                await file.WriteAsync(buffer.AsMemory(0, read));
            }
            lock (_gate)
                _jobs[jobId] = new RenderJob(jobId, "done", path, total);
        }
        response.StatusCode = 204;
    }

    private static async Task<T?> ReadAsync<T>(HttpListenerRequest request, JsonTypeInfo<T> type)
        where T : class =>
        request.HasEntityBody ? await JsonSerializer.DeserializeAsync(request.InputStream, type) : null;

    private static async Task WriteAsync<T>(HttpListenerResponse response, int status, T value, JsonTypeInfo<T> type)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, type);
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { }
        _stop.Dispose();
    }
}
