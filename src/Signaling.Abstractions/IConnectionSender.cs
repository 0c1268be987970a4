namespace MobZ.Signaling.Abstractions;

/// <summary>
/// The API Gateway Management API (<c>@connections</c>): POST a message, GET connection info, DELETE a
/// connection. Implemented over SigV4-signed HTTPS on AWS and by the local gateway in-process; both answer
/// <see cref="SendStatus.Gone"/> (410) for unknown connections and for connections whose $connect has not
/// completed yet.
/// </summary>
public interface IConnectionSender
{
    /// <summary>Largest payload API Gateway accepts on a WebSocket frame (128 KB); larger ones are refused, never
    /// truncated.</summary>
    const int MaxPayloadBytes = 128 * 1024;

    Task<SendStatus> SendAsync(
        string connectionId,
        ReadOnlyMemory<byte> payload,
        CancellationToken cancellationToken = default
    );
    Task<ConnectionInfo?> GetConnectionAsync(string connectionId, CancellationToken cancellationToken = default);

    /// <returns>false when the connection was already gone.</returns>
    Task<bool> DeleteConnectionAsync(string connectionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Closes a connection with a WebSocket close code and reason (e.g. 1011 and a streamer's kick reason).
    /// API Gateway's DELETE @connections cannot carry either: there the client sees 1000 and this falls back
    /// to <see cref="DeleteConnectionAsync"/>. The local gateway sends exactly the code and reason given.
    /// </summary>
    /// <param name="reason">At most 123 UTF-8 bytes reach the client (the close frame's limit); longer ones are
    /// cut.</param>
    /// <returns>false when the connection was already gone.</returns>
    Task<bool> CloseConnectionAsync(
        string connectionId,
        int closeCode,
        string reason,
        CancellationToken cancellationToken = default
    ) => DeleteConnectionAsync(connectionId, cancellationToken);

    /// <summary>The longest close reason a close frame carries (125-byte payload minus the 2-byte code).</summary>
    const int MaxCloseReasonBytes = 123;

    /// <summary>Cuts <paramref name="reason"/> to <see cref="MaxCloseReasonBytes"/> UTF-8 bytes on a character
    /// boundary.</summary>
    static string FitCloseReason(string reason)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(reason) <= MaxCloseReasonBytes)
            return reason;
        var end = reason.Length;
        while (end > 0 && System.Text.Encoding.UTF8.GetByteCount(reason.AsSpan(0, end)) > MaxCloseReasonBytes)
            end--;
        if (end > 0 && char.IsHighSurrogate(reason[end - 1]))
            end--;
        return reason[..end];
    }
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
public sealed record ConnectionInfo(
    DateTimeOffset ConnectedAt,
    DateTimeOffset LastActiveAt,
    string SourceIp,
    string? UserAgent
);
