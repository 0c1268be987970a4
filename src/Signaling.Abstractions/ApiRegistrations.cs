namespace MobZ.Signaling.Abstractions;

/// <summary>
/// Mounts a WebSocket API on a host that emulates API Gateway (the local gateway of <c>make run</c>).
/// Register one per API as a singleton, e.g.
/// <c>services.AddSingleton(new WebSocketApiRegistration("/ws", "$request.body.action", sp =>
/// sp.GetRequiredService&lt;RoomsHandler&gt;()))</c>.
/// </summary>
/// <param name="Path">Request path clients connect to, e.g. "/ws". Each API has its own path.</param>
/// <param name="RouteSelectionExpression">
/// As on API Gateway: <c>$request.body.action</c> (a dotted JSON path into the message body). A message whose
/// selected value is missing, not a string or not one of <see cref="Routes"/> goes to <c>$default</c>.
/// </param>
/// <param name="CreateHandler">Called once, when the host starts, to get the API's integration.</param>
public sealed record WebSocketApiRegistration(
    string Path,
    string RouteSelectionExpression,
    Func<IServiceProvider, IWebSocketHandler> CreateHandler
)
{
    /// <summary>Stage name put in <c>requestContext.stage</c> and in the local <c>/{stage}/@connections</c>
    /// path.</summary>
    public string Stage { get; init; } = "local";

    /// <summary><c>requestContext.apiId</c>; defaults to a name derived from <see cref="Path"/>.</summary>
    public string? ApiId { get; init; }

    /// <summary>
    /// Custom route keys the API defines (besides $connect, $disconnect, $default). Null means every selected
    /// value is a route of its own, which is what a single Lambda integration with a catch-all sees.
    /// </summary>
    public IReadOnlyCollection<string>? Routes { get; init; }
}

/// <summary>
/// Mounts an HTTP API (payload format 2.0) under a path prefix: every method and sub-path of
/// <see cref="PathPrefix"/> becomes an <see cref="HttpApiEvent"/> with route key <c>ANY {prefix}/{proxy+}</c>.
/// Register as a singleton, like <see cref="WebSocketApiRegistration"/>.
/// </summary>
public sealed record HttpApiRegistration(string PathPrefix, Func<IServiceProvider, IHttpHandler> CreateHandler)
{
    public string? ApiId { get; init; }
}
