namespace MobZ.Signaling.Abstractions;

/// <summary>
/// A WebSocket API's Lambda integration: one handler per API receives every route ($connect, $disconnect,
/// $default and custom keys). It never touches a socket; it answers through <see cref="IConnectionSender"/>.
/// </summary>
public interface IWebSocketHandler
{
    Task<ProxyResponse> HandleAsync(WebSocketEvent evt, CancellationToken cancellationToken);
}

/// <summary>An HTTP API's Lambda integration (payload format 2.0).</summary>
public interface IHttpHandler
{
    Task<ProxyResponse> HandleAsync(HttpApiEvent evt, CancellationToken cancellationToken);
}
