namespace MobZ.LocalStack.Gateway;

/// <summary>API Gateway's WebSocket quotas, as the local gateway enforces them.</summary>
public sealed record GatewayOptions
{
    /// <summary>The integration timeout: a handler running longer is cancelled (29 s on AWS).</summary>
    public TimeSpan IntegrationTimeout { get; init; } = TimeSpan.FromSeconds(29);
    /// <summary>A connection with no traffic for this long is closed with 1001 (10 min on AWS).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>A connection older than this is closed with 1001 (2 h on AWS).</summary>
    public TimeSpan MaxConnectionDuration { get; init; } = TimeSpan.FromHours(2);
    /// <summary>How long a server-initiated close waits for the client's close frame before aborting.</summary>
    public TimeSpan CloseHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Messages queued per connection before its receive loop waits for the handler (back-pressure).</summary>
    public int MaxQueuedMessagesPerConnection { get; init; } = 256;
}
