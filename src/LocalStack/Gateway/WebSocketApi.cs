using MobZ.Signaling.Abstractions;

namespace MobZ.LocalStack.Gateway;

/// <summary>A mounted WebSocket API: its registration, parsed route selection expression and live handler.</summary>
public sealed class WebSocketApi(WebSocketApiRegistration registration, IWebSocketHandler handler)
{
    public WebSocketApiRegistration Registration { get; } = registration;
    public IWebSocketHandler Handler { get; } = handler;
    public RouteSelectionExpression RouteSelection { get; } =
        RouteSelectionExpression.Parse(registration.RouteSelectionExpression);
    public string Path => Registration.Path;
    public string Stage => Registration.Stage;
    public string ApiId { get; } = registration.ApiId ?? DeriveApiId(registration.Path);

    /// <summary>"/ws" → "ws", "/" → "root": stable, readable ids in local events.</summary>
    private static string DeriveApiId(string path)
    {
        var trimmed = path.Trim('/').Replace('/', '-');
        return trimmed.Length == 0 ? "root" : trimmed;
    }
}
