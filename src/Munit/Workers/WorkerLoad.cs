namespace MobZ.Munit.Workers;

/// <summary>How busy one media worker is: what placement and the Regulator see of it.</summary>
/// <param name="CpuFraction">its loop thread's CPU since the previous sample, as a fraction of one core.</param>
public readonly record struct WorkerLoad(int Worker, int Port, int Rooms, int Stations, int Peers, double CpuFraction);

/// <summary>Station media that runs on several workers and can say how busy each is.</summary>
public interface IWorkerLoadSource
{
    IReadOnlyList<WorkerLoad> GetWorkerLoads();
}
