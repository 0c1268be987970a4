namespace MobZ.State.Messaging;

/// <summary>The handle SubscribeAsync returns; unsubscribes once, however often it is disposed.</summary>
internal sealed class Unsubscriber(Func<ValueTask> unsubscribe) : IAsyncDisposable
{
    private Func<ValueTask>? _unsubscribe = unsubscribe;

    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _unsubscribe, null) is { } run ? run() : ValueTask.CompletedTask;
}
