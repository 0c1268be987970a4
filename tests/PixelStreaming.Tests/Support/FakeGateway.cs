using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using MobZ.Signaling.Abstractions;

namespace MobZ.PixelStreaming.Tests.Support;

/// <summary>
/// The gateway's side of <see cref="IConnectionSender"/> as API Gateway behaves: 410 for a connection whose
/// $connect has not completed, is unknown, or is closed; every sent frame recorded per connection.
/// </summary>
public sealed class FakeGateway : IConnectionSender
{
    private readonly ConcurrentDictionary<string, Connection> _connections = new();

    public sealed class Connection(string id)
    {
        public string Id { get; } = id;
        public volatile bool Open;
        public volatile bool Closed;
        public volatile bool DeletedByServer;

        /// <summary>The close code and reason the server closed with; API Gateway's DELETE gives 1000 and
        /// none.</summary>
        public int? CloseCode;
        public string? CloseReason;
        public int GoneAnswers;

        /// <summary>While set and not completed, a send to this connection waits for it (a client that reads
        /// slowly).</summary>
        public Task? HeldUntil;
        private readonly List<JsonObject> _received = [];

        public void Add(JsonObject message)
        {
            lock (_received)
                _received.Add(message);
        }

        public IReadOnlyList<JsonObject> Received
        {
            get
            {
                lock (_received)
                    return [.. _received];
            }
        }

        public IReadOnlyList<string> Types => Received.Select(m => (string)m["type"]!).ToArray();

        public IReadOnlyList<JsonObject> OfType(string type) =>
            Received.Where(m => (string?)m["type"] == type).ToArray();
    }

    public Connection Create(string id) => _connections[id] = new Connection(id);

    public Connection this[string id] => _connections[id];

    public void Complete(string id) => _connections[id].Open = true;

    public void Close(string id) => _connections[id].Closed = true;

    public Task<SendStatus> SendAsync(
        string connectionId,
        ReadOnlyMemory<byte> payload,
        CancellationToken cancellationToken = default
    )
    {
        if (payload.Length > IConnectionSender.MaxPayloadBytes)
            return Task.FromResult(SendStatus.TooLarge);
        if (!_connections.TryGetValue(connectionId, out var c) || c.Closed || !c.Open)
        {
            if (c is not null)
                Interlocked.Increment(ref c.GoneAnswers);
            return Task.FromResult(SendStatus.Gone);
        }
        var message = (JsonObject)JsonNode.Parse(payload.Span)!;
        if (c.HeldUntil is { IsCompleted: false } held)
            return SendWhenReleasedAsync(c, message, held);
        c.Add(message);
        return Task.FromResult(SendStatus.Sent);
    }

    private static async Task<SendStatus> SendWhenReleasedAsync(Connection c, JsonObject message, Task held)
    {
        await held;
        c.Add(message);
        return SendStatus.Sent;
    }

    public Task<ConnectionInfo?> GetConnectionAsync(
        string connectionId,
        CancellationToken cancellationToken = default
    ) =>
        Task.FromResult(
            _connections.TryGetValue(connectionId, out var c) && !c.Closed
                ? new ConnectionInfo(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, "127.0.0.1", null)
                : null
        );

    public Task<bool> DeleteConnectionAsync(string connectionId, CancellationToken cancellationToken = default) =>
        CloseConnectionAsync(connectionId, 1000, "", cancellationToken);

    public Task<bool> CloseConnectionAsync(
        string connectionId,
        int closeCode,
        string reason,
        CancellationToken cancellationToken = default
    )
    {
        if (!_connections.TryGetValue(connectionId, out var c) || c.Closed)
            return Task.FromResult(false);
        c.CloseCode = closeCode;
        c.CloseReason = reason;
        c.DeletedByServer = true;
        c.Closed = true;
        return Task.FromResult(true);
    }
}
