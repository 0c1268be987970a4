namespace MobZ.Signaling.Aws.ApiGateway;

/// <summary>Retry policy for throttling (429) and server errors (5xx) of the Management API.</summary>
public sealed record ApiGatewayManagementOptions
{
    /// <summary>Total tries per call, the first included.</summary>
    public int MaxAttempts { get; init; } = 4;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(50);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Per-attempt timeout; API Gateway answers in milliseconds, so a hung socket should not hold a
    /// handler.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
