using Microsoft.Extensions.Logging;

namespace MobZ.State.InProcess;

/// <summary>The embedded backend of <c>make run</c>: one process, many threads, Redis semantics, no server.</summary>
public sealed class InProcessBackend : IStateBackend
{
    private readonly InProcessKeyspace _keyspace;
    private readonly InProcessBus _bus;

    public InProcessBackend(ILoggerFactory loggerFactory, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _keyspace = new InProcessKeyspace(time ?? TimeProvider.System);
        Store = new InProcessStore(_keyspace);
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
