using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace MobZ.LocalStack.Gateway;

/// <summary>Every connection of every mounted WebSocket API, by connection id (ids are unique across APIs).</summary>
public sealed class ConnectionRegistry(GatewayOptions options, GatewayMetrics metrics)
{
    private readonly ConcurrentDictionary<string, GatewayConnection> _connections = new(StringComparer.Ordinal);

    public int Count => _connections.Count;

    public GatewayMetrics Metrics => metrics;

    public GatewayConnection Create(
        WebSocketApi api,
        DateTimeOffset now,
        string sourceIp,
        string? userAgent,
        string host
    )
    {
        while (true)
        {
            var connection = new GatewayConnection(NewId(), api, now, sourceIp, userAgent, host, options, metrics);
            if (_connections.TryAdd(connection.Id, connection))
                return connection;
        }
    }

    public bool TryGet(string connectionId, out GatewayConnection connection) =>
        _connections.TryGetValue(connectionId, out connection!);

    public void Remove(GatewayConnection connection) =>
        _connections.TryRemove(new KeyValuePair<string, GatewayConnection>(connection.Id, connection));

    public IReadOnlyList<GatewayConnection> Snapshot() => [.. _connections.Values];

    /// <summary>
    /// The shape of AWS ids ("L0SM9cOFvHcCIhw="): 11 random bytes in base64, so they end in '=' and clients
    /// have to URL-encode them in the @connections path, as they must on AWS. '+' and '/' are swapped for
    /// '-' and '_' so an id is always one path segment.
    /// </summary>
    public static string NewId() => NewToken(11);

    /// <summary>Request and message ids, in the same alphabet.</summary>
    public static string NewToken(int bytes)
    {
        Span<byte> buffer = stackalloc byte[bytes];
        RandomNumberGenerator.Fill(buffer);
        return Convert.ToBase64String(buffer).Replace('+', '-').Replace('/', '_');
    }
}
