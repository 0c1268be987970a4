using Microsoft.Extensions.Logging;

namespace MobZ.State.InProcess;

/// <summary>The embedded backend of <c>make run</c>: one process, many threads, Redis semantics, no server.</summary>
public sealed class InProcessBackend : IStateBackend
{
    private readonly InProcessKeyspace _keyspace;
    private readonly InProcessBus _bus;

    /// <param name="checkHashSlots">
    /// Refuse, as a Redis Cluster does, a transaction or multi-key delete whose keys are in different hash slots
    /// (<see cref="HashSlot"/>), so code tested in-process keeps its keys laid out for a cluster.
    /// </param>
    public InProcessBackend(ILoggerFactory loggerFactory, TimeProvider? time = null, bool checkHashSlots = false)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _keyspace = new InProcessKeyspace(time ?? TimeProvider.System);
        Store = new InProcessStore(_keyspace, checkHashSlots ? string.Empty : null);
        _bus = new InProcessBus(loggerFactory.CreateLogger("MobZ.State.InProcess.Bus"));
    }

    public IStateStore Store { get; }
    public IMessageBus Bus => _bus;
    public string Name => "in-process";

    internal InProcessKeyspace Keyspace => _keyspace;

    public ValueTask DisposeAsync()
    {
        _bus.CloseAll();
        _keyspace.Dispose();
        return ValueTask.CompletedTask;
    }
}
