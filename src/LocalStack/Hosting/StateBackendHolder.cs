using Microsoft.Extensions.Logging;
using MobZ.State;

namespace MobZ.LocalStack.Hosting;

/// <summary>
/// The state backend is created asynchronously (connecting to Redis), after the container is built but before
/// any handler or hosted service runs; DI hands out the instance through this holder.
/// </summary>
internal sealed class StateBackendHolder
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);
    private IStateBackend? _backend;

    public IStateBackend Backend =>
        _backend ?? throw new InvalidOperationException("The state backend is not initialised yet.");

    public async Task InitializeAsync(string? redis, string? keyPrefix, ILoggerFactory loggerFactory, TimeProvider time)
    {
        var backend = await StateBackend.CreateAsync(redis, loggerFactory, keyPrefix, time).ConfigureAwait(false);
        if (!string.IsNullOrWhiteSpace(redis))
        {
            // `make run REDIS=...` with a wrong address should stop here with one clear line, not fail later
            // inside the first handler that touches state.
            try
            {
                await backend.Store.ExistsAsync("mobz:startup-probe").WaitAsync(ProbeTimeout).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                await backend.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException($"Redis at '{redis}' is not reachable: {ex.Message}", ex);
            }
        }
        _backend = backend;
    }
}
