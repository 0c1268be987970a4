namespace MobZ.State;

/// <summary>One backend: a store and a bus that share a lifetime (one Redis connection, or one process).</summary>
public interface IStateBackend : IAsyncDisposable
{
    IStateStore Store { get; }
    IMessageBus Bus { get; }

    /// <summary>"redis" or "in-process", for logs and the demo page.</summary>
    string Name { get; }
}
