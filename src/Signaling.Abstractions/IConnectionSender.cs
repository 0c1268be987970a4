namespace MobZ.Signaling;

/// <summary>
/// The API Gateway Management API (<c>@connections</c>): POST a message, GET connection info, DELETE a
/// connection. Implemented over SigV4-signed HTTPS on AWS and by the local gateway in-process; both answer
/// <see cref="SendStatus.Gone"/> (410) for unknown connections and for connections whose $connect has not
/// completed yet.
/// </summary>
public interface IConnectionSender
{
    /// <summary>Largest payload API Gateway accepts on a WebSocket frame (128 KB); larger ones are refused, never truncated.</summary>
    public const int MaxPayloadBytes = 128 * 1024;

    Task<SendStatus> SendAsync(string connectionId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);
    Task<ConnectionInfo?> GetConnectionAsync(string connectionId, CancellationToken cancellationToken = default);
    /// <returns>false when the connection was already gone.</returns>
    Task<bool> DeleteConnectionAsync(string connectionId, CancellationToken cancellationToken = default);
}

public enum SendStatus
{
    Sent,
    /// <summary>410: the connection does not exist, is closed, or $connect has not completed.</summary>
    Gone,
    /// <summary>The payload exceeds <see cref="IConnectionSender.MaxPayloadBytes"/>; nothing was sent.</summary>
    TooLarge,
    /// <summary>Throttled or a transient failure after retries.</summary>
    Failed,
}

/// <summary>GET @connections/{id} answer.</summary>
public sealed record ConnectionInfo(DateTimeOffset ConnectedAt, DateTimeOffset LastActiveAt, string SourceIp, string? UserAgent);
