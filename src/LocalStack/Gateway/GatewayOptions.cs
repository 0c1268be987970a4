namespace MobZ.LocalStack.Gateway;

/// <summary>API Gateway's WebSocket quotas, as the local gateway enforces them.</summary>
public sealed record GatewayOptions
{
    /// <summary>The header an HTTP caller of <c>/{stage}/@connections</c> must send, with <see
    /// cref="ConnectionsApiSecret"/>.</summary>
    public const string ConnectionsSecretHeader = "X-MobZ-Connections-Secret";

    /// <summary>
    /// What the HTTP <c>@connections</c> API requires besides a loopback caller: random per process unless set
    /// (MOBZ_CONNECTIONS_SECRET), so a web page the developer visits cannot post into their sockets. Handlers on
    /// the host use the in-process sender and need nothing.
    /// </summary>
    public string ConnectionsApiSecret { get; init; } =
        Environment.GetEnvironmentVariable("MOBZ_CONNECTIONS_SECRET") is { Length: >= 16 } configured
            ? configured
            : ConnectionRegistry.NewToken(32);

    /// <summary>
    /// Origins a browser may open the WebSocket APIs from (exact <c>scheme://host[:port]</c>). Null: the page's
    /// own origin (Origin matches Host) and loopback origins only. Clients that send no Origin (not browsers) are
    /// always let in, as on AWS.
    /// </summary>
    public IReadOnlyList<string>? AllowedOrigins { get; init; }

    /// <summary>The integration timeout: a handler running longer is cancelled (29 s on AWS).</summary>
    public TimeSpan IntegrationTimeout { get; init; } = TimeSpan.FromSeconds(29);

    /// <summary>A connection with no traffic for this long is closed with 1001 (10 min on AWS).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A connection older than this is closed with 1001 (2 h on AWS).</summary>
    public TimeSpan MaxConnectionDuration { get; init; } = TimeSpan.FromHours(2);

    /// <summary>How long a server-initiated close waits for the client's close frame before aborting.</summary>
    public TimeSpan CloseHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Bytes received from one connection and not yet handled (each message counts its payload plus
    /// <see cref="InboundMessageOverheadBytes"/>); a client that sends faster than its handler runs is closed
    /// with 1008 once it is over.
    /// </summary>
    public long MaxInboundBytesPerConnection { get; init; } = 1024 * 1024;

    /// <summary>What one queued inbound message costs beyond its payload (the event object), so a flood of tiny frames
    /// is bounded too.</summary>
    public int InboundMessageOverheadBytes { get; init; } = 1024;

    /// <summary>
    /// Bytes posted to one connection and not yet written to its socket; a client that does not read is a slow
    /// consumer and is closed with 1008 once it is over, so nobody who sends to it ever waits for it.
    /// </summary>
    public long MaxOutboundBytesPerConnection { get; init; } = 1024 * 1024;
}
