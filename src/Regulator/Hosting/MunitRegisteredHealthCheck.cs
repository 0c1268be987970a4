using Microsoft.Extensions.Diagnostics.HealthChecks;
using MobZ.State;

namespace MobZ.Regulator.Hosting;

/// <summary>
/// Readiness of a Munit: its Regulator has registered it and the registration is still in the store, so
/// signaling can place stations on it. Before the first registration, and after the store lost it (a Redis
/// restart, or the Munit was declared dead), the process is alive but not ready.
/// </summary>
internal sealed class MunitRegisteredHealthCheck(Regulator regulator) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context,
        CancellationToken cancellationToken = default
    )
    {
        if (!regulator.Registered)
            return HealthCheckResult.Unhealthy($"Munit {regulator.MunitId} is not registered yet");
        try
        {
            return await regulator.IsRegisteredAsync().WaitAsync(cancellationToken).ConfigureAwait(false)
                ? HealthCheckResult.Healthy(
                    $"Munit {regulator.MunitId} registered" + (regulator.Draining ? " (draining)" : "")
                )
                : HealthCheckResult.Unhealthy($"Munit {regulator.MunitId}'s registration is missing from the store");
        }
        catch (StateUnavailableException ex)
        {
            return HealthCheckResult.Unhealthy($"the store is unreachable: {ex.Message}");
        }
    }
}
