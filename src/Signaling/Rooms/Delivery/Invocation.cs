using System.Collections.Concurrent;

namespace MobZ.Signaling.Rooms.Delivery;

/// <summary>Per-invocation context: who sent the message, and which targets turned out to be gone.</summary>
public sealed class Invocation(string connectionId, string? requestId, CancellationToken cancellationToken)
{
    private readonly ConcurrentDictionary<string, byte> _gone = new();

    public string ConnectionId { get; } = connectionId;
    public string? RequestId { get; } = requestId;
    public CancellationToken CancellationToken { get; } = cancellationToken;

    public void MarkGone(string connectionId) => _gone.TryAdd(connectionId, 0);

    /// <summary>Takes one gone connection to clean up, if any.</summary>
    public bool TryTakeGone(out string connectionId)
    {
        foreach (var key in _gone.Keys)
        {
            if (_gone.TryRemove(key, out _))
            {
                connectionId = key;
                return true;
            }
        }
        connectionId = "";
        return false;
    }
}
