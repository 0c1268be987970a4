using Microsoft.Extensions.Logging;
using MobZ.State;

namespace MobZ.LocalStack.Hosting;

/// <summary>
/// The state backend is created asynchronously (connecting to Redis), after the container is built but before
/// any handler or hosted service runs; DI hands out the instance through this holder.
/// </summary>
internal sealed class StateBackendHolder
{
    private IStateBackend? _backend;

    public IStateBackend Backend => _backend ?? throw new InvalidOperationException("The state backend is not initialised yet.");

    public async Task InitializeAsync(string? redis, string? keyPrefix, ILoggerFactory loggerFactory)
    {
        _backend = await StateBackend.CreateAsync(redis, loggerFactory, keyPrefix).ConfigureAwait(false);
    }
}
