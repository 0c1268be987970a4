using System.Text.Json;
using System.Text.Json.Nodes;

namespace MobZ.Signaling.Tests.Harness;

/// <summary>
/// One signaling client as a test sees it: sends JSON, and waits for messages by action. Messages are
/// consumed in arrival order, so waiting for the same action twice returns two different messages.
/// </summary>
public abstract class TestClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly List<JsonElement> _pending = [];
    private readonly List<JsonElement> _all = [];
    private TaskCompletionSource _arrived = NewSignal();

    /// <summary>The connection id the server knows this client by (its participantId).</summary>
    public abstract string ConnectionId { get; }

    public abstract Task SendRawAsync(string text);

    /// <summary>False once the socket is closed (by either side).</summary>
    public abstract bool IsOpen { get; }

    /// <summary>Closes the socket normally ($disconnect reaches the server).</summary>
    public abstract Task CloseAsync();

    /// <summary>Vanishes without a $disconnect: later sends to it answer Gone.</summary>
    public abstract Task AbortAsync();

    public abstract ValueTask DisposeAsync();

    public Task SendAsync(object message) => SendRawAsync(JsonSerializer.Serialize(message));

    protected void OnMessage(string text)
    {
        var element = JsonDocument.Parse(text).RootElement.Clone();
        TaskCompletionSource signal;
        lock (_pending)
        {
            _pending.Add(element);
            _all.Add(element);
            signal = _arrived;
            _arrived = NewSignal();
        }
        signal.TrySetResult();
    }

    /// <summary>Every message received so far, consumed or not.</summary>
    public IReadOnlyList<JsonElement> Received
    {
        get
        {
            lock (_pending)
                return [.. _all];
        }
    }

    public async Task<JsonElement> NextAsync(
        string action,
        Func<JsonElement, bool>? where = null,
        TimeSpan? timeout = null
    )
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            Task wait;
            lock (_pending)
            {
                int index = _pending.FindIndex(m => Action(m) == action && (where is null || where(m)));
                if (index >= 0)
                {
                    var found = _pending[index];
                    _pending.RemoveAt(index);
                    return found;
                }
                wait = _arrived.Task;
            }
            try
            {
                await wait.WaitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                string seen;
                lock (_pending)
                    seen = string.Join(", ", _all.Select(Action));
                throw new Xunit.Sdk.XunitException(
                    $"{ConnectionId}: no {action} within {(timeout ?? DefaultTimeout).TotalSeconds} s; received [{seen}]"
                );
            }
        }
    }

    /// <summary>Sends a message and waits for the Error that answers it; returns its code.</summary>
    public async Task<string> ErrorCodeForAsync(string raw, string requestId)
    {
        await SendRawAsync(raw).ConfigureAwait(false);
        var error = await NextAsync("Error", m =>
                m.TryGetProperty("requestId", out var r) && r.GetString() == requestId
            )
            .ConfigureAwait(false);
        return error.GetProperty("code").GetString()!;
    }

    /// <summary>Round-trips a Heartbeat: everything this client caused before it has been handled.</summary>
    public async Task SyncAsync()
    {
        string id = Guid.NewGuid().ToString("N");
        await SendAsync(new { action = "Heartbeat", requestId = id }).ConfigureAwait(false);
        await NextAsync("HeartbeatAck", m => m.GetProperty("requestId").GetString() == id).ConfigureAwait(false);
    }

    public bool HasPending(string action)
    {
        lock (_pending)
            return _pending.Any(m => Action(m) == action);
    }

    public static string? Action(JsonElement m) =>
        m.ValueKind == JsonValueKind.Object && m.TryGetProperty("action", out var a) ? a.GetString() : null;

    public async Task<JsonElement> JoinAsync(string roomId, string roomKind, string? role = null, string? userId = null)
    {
        var msg = new JsonObject
        {
            ["action"] = "Join",
            ["requestId"] = "join-" + ConnectionId,
            ["roomId"] = roomId,
            ["roomKind"] = roomKind,
        };
        if (role is not null)
            msg["role"] = role;
        if (userId is not null)
            msg["userId"] = userId;
        await SendRawAsync(msg.ToJsonString()).ConfigureAwait(false);
        return await NextAsync("JoinAck").ConfigureAwait(false);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
