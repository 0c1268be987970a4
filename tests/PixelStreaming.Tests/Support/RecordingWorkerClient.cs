using System.Collections.Concurrent;
using MobZ.PixelStreaming.Workers;

namespace MobZ.PixelStreaming.Tests.Support;

/// <summary>Stands in for the HTTP worker client: records each call (operation, worker, request).</summary>
public sealed class RecordingWorkerClient : IStreamingWorkerClient
{
    public ConcurrentQueue<(string Operation, Uri Worker, object Request)> Calls { get; } = new();

    public int Status { get; set; } = 200;

    private Task<WorkerResponse> Record(string op, Uri worker, object request)
    {
        Calls.Enqueue((op, worker, request));
        return Task.FromResult(new WorkerResponse(Status, $"{{\"op\":\"{op}\"}}"));
    }

    public Task<WorkerResponse> LoadProjectAsync(
        Uri worker,
        LoadProjectRequest request,
        CancellationToken cancellationToken
    ) => Record(WorkerOperations.LoadProject, worker, request);

    public Task<WorkerResponse> SaveProjectAsync(
        Uri worker,
        SaveProjectRequest request,
        CancellationToken cancellationToken
    ) => Record(WorkerOperations.SaveProject, worker, request);

    public Task<WorkerResponse> GenerateVideoAsync(
        Uri worker,
        GenerateVideoRequest request,
        CancellationToken cancellationToken
    ) => Record(WorkerOperations.GenerateVideo, worker, request);

    public Task<WorkerResponse> DisconnectAsync(
        Uri worker,
        DisconnectRequest request,
        CancellationToken cancellationToken
    ) => Record(WorkerOperations.Disconnect, worker, request);
}
