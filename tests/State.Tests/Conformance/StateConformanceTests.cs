using Microsoft.Extensions.Logging;

namespace MobZ.State.Tests.Conformance;

/// <summary>
/// One suite, two backends: every test here runs unchanged against the in-process backend and against a
/// real redis-server (see the derived classes). Each test gets a fresh, isolated keyspace.
/// </summary>
public abstract partial class StateConformanceTests : IAsyncLifetime
{
    // How long a condition may take to come true: generous, as every wait ends as soon as it holds. 10 s was not
    // enough for 50 pub/sub messages through an async handler in a clean-clone run at load 15-20.
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private IStateBackend? _backend;
    private readonly List<IStateBackend> _extra = [];

    protected CollectingLoggerFactory Logs { get; } = new();
    protected IStateBackend Backend => _backend ?? throw new InvalidOperationException("not initialized");
    protected IStateStore Store => Backend.Store;
    protected IMessageBus Bus => Backend.Bus;

    /// <summary>A backend over this test's keyspace.</summary>
    protected abstract Task<IStateBackend> OpenAsync(ILoggerFactory loggerFactory);

    /// <summary>
    /// Backends for <paramref name="count"/> concurrent clients of the same keyspace: separate connections
    /// on Redis (so races cross connections as between Lambdas), the one shared instance in-process.
    /// </summary>
    protected abstract Task<IReadOnlyList<IStateBackend>> OpenClientsAsync(int count);

    protected async Task<IStateBackend> OpenExtraAsync()
    {
        var backend = await OpenAsync(Logs);
        _extra.Add(backend);
        return backend;
    }

    public async Task InitializeAsync() => _backend = await OpenAsync(Logs);

    public async Task DisposeAsync()
    {
        foreach (var extra in _extra)
            await extra.DisposeAsync();
        if (_backend is not null)
            await _backend.DisposeAsync();
    }
}
