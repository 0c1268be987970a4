using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MobZ.PixelStreaming.Workers;

/// <summary>The worker protocol over HTTP JSON. A worker that cannot be reached answers 502, never an
/// exception.</summary>
public sealed class HttpStreamingWorkerClient(HttpClient http, PixelStreamingOptions options) : IStreamingWorkerClient
{
    public Task<WorkerResponse> LoadProjectAsync(
        Uri worker,
        LoadProjectRequest request,
        CancellationToken cancellationToken
    ) =>
        PostAsync(
            worker,
            WorkerOperations.LoadProject,
            request,
            WorkerJsonContext.Default.LoadProjectRequest,
            cancellationToken
        );

    public Task<WorkerResponse> SaveProjectAsync(
        Uri worker,
        SaveProjectRequest request,
        CancellationToken cancellationToken
    ) =>
        PostAsync(
            worker,
            WorkerOperations.SaveProject,
            request,
            WorkerJsonContext.Default.SaveProjectRequest,
            cancellationToken
        );

    public Task<WorkerResponse> GenerateVideoAsync(
        Uri worker,
        GenerateVideoRequest request,
        CancellationToken cancellationToken
    ) =>
        PostAsync(
            worker,
            WorkerOperations.GenerateVideo,
            request,
            WorkerJsonContext.Default.GenerateVideoRequest,
            cancellationToken
        );

    public Task<WorkerResponse> DisconnectAsync(
        Uri worker,
        DisconnectRequest request,
        CancellationToken cancellationToken
    ) =>
        PostAsync(
            worker,
            WorkerOperations.Disconnect,
            request,
            WorkerJsonContext.Default.DisconnectRequest,
            cancellationToken
        );

    private async Task<WorkerResponse> PostAsync<T>(
        Uri worker,
        string operation,
        T body,
        JsonTypeInfo<T> typeInfo,
        CancellationToken cancellationToken
    )
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.WorkerTimeout);
        var target = new Uri(worker.AbsoluteUri.TrimEnd('/') + "/" + operation);
        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, typeInfo));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        try
        {
            using var response = await http.PostAsync(target, content, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            return new WorkerResponse((int)response.StatusCode, text);
        }
        catch (Exception e)
            when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new WorkerResponse(
                502,
                JsonSerializer.Serialize(
                    new Api.ApiError($"streaming worker unreachable: {e.Message}"),
                    Api.ApiJsonContext.Default.ApiError
                )
            );
        }
    }
}
