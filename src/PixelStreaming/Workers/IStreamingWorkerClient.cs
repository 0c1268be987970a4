namespace MobZ.PixelStreaming.Workers;

/// <summary>Calls the streaming worker beside a streamer (load, save, render, restart the Unreal instance).</summary>
public interface IStreamingWorkerClient
{
    Task<WorkerResponse> LoadProjectAsync(Uri worker, LoadProjectRequest request, CancellationToken cancellationToken);
    Task<WorkerResponse> SaveProjectAsync(Uri worker, SaveProjectRequest request, CancellationToken cancellationToken);
    Task<WorkerResponse> GenerateVideoAsync(
        Uri worker,
        GenerateVideoRequest request,
        CancellationToken cancellationToken
    );

    /// <summary>The session ended: the worker restarts the instance so the next player gets a fresh one.</summary>
    Task<WorkerResponse> DisconnectAsync(Uri worker, DisconnectRequest request, CancellationToken cancellationToken);
}
