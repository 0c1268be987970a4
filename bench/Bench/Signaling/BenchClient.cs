using System.Net.WebSockets;
using System.Text;

namespace MobZ.Bench.Signaling;

/// <summary>
/// A rooms WebSocket client for the signaling benchmarks: counts every server message by action, lets a caller
/// await a count, and hands the JSON of the actions it was asked to keep to <see cref="Message"/>.
/// </summary>
internal sealed class BenchClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Dictionary<string, long> _counts = [];
    private readonly List<(string Action, long Target, TaskCompletionSource Done)> _waiters = [];
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private Task _receiving = Task.CompletedTask;

    /// <summary>Raised on the receive loop with (action, JSON) for every action in <see cref="Kept"/>.</summary>
    public event Action<string, string>? Message;

    /// <summary>The actions whose JSON <see cref="Message"/> receives (others are only counted).</summary>
    public HashSet<string> Kept { get; } = [];

    public static async Task<BenchClient> ConnectAsync(Uri url)
    {
        var client = new BenchClient();
        await client._socket.ConnectAsync(url, CancellationToken.None);
        client._receiving = Task.Run(client.ReceiveLoopAsync);
        return client;
    }

    public long Count(string action)
    {
        lock (_counts)
            return _counts.GetValueOrDefault(action);
    }

    public Task WaitForAsync(string action, long target)
    {
        lock (_counts)
        {
            if (_counts.GetValueOrDefault(action) >= target)
                return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((action, target, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public async Task SendAsync(string json)
    {
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(
                Encoding.UTF8.GetBytes(json),
                WebSocketMessageType.Text,
                true,
                CancellationToken.None
            );
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        int filled = 0;
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer.AsMemory(filled), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                    return;
                filled += result.Count;
                if (!result.EndOfMessage)
                    continue;
                string action = ActionOf(buffer.AsSpan(0, filled));
                if (Kept.Contains(action))
                    Message?.Invoke(action, Encoding.UTF8.GetString(buffer, 0, filled));
                filled = 0;
                lock (_counts)
                {
                    long n = _counts[action] = _counts.GetValueOrDefault(action) + 1;
                    for (int i = _waiters.Count - 1; i >= 0; i--)
                    {
                        if (_waiters[i].Action == action && n >= _waiters[i].Target)
                        {
                            _waiters[i].Done.TrySetResult();
                            _waiters.RemoveAt(i);
                        }
                    }
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        { }
    }

    /// <summary>Server messages start with "action", so a prefix read is enough.</summary>
    private static string ActionOf(ReadOnlySpan<byte> json)
    {
        var prefix = "{\"action\":\""u8;
        if (!json.StartsWith(prefix))
            return "";
        var rest = json[prefix.Length..];
        int end = rest.IndexOf((byte)'"');
        return end < 0 ? "" : Encoding.UTF8.GetString(rest[..end]);
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        await _receiving;
        _socket.Dispose();
        _sendLock.Dispose();
    }
}
