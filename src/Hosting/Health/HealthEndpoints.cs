using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MobZ.Hosting.Health;

/// <summary>
/// <c>/healthz</c> (live: the process answers; no check runs) and <c>/readyz</c> (every check tagged
/// <see cref="ReadyTag"/>: state backend reachable, Munit registered, ...), each a small JSON report.
/// </summary>
public static class HealthEndpoints
{
    public const string LivePath = "/healthz";
    public const string ReadyPath = "/readyz";

    /// <summary>Capabilities tag their readiness checks with this (e.g. the Regulator's "munit-registered").</summary>
    public const string ReadyTag = "ready";

    /// <summary>A frozen Redis never answers; a check that has not answered by then counts as failed.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    internal static async Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("status", StatusText(report.Status));
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", StatusText(entry.Status));
            if (entry.Description is { } description)
                json.WriteString("description", description);
            else if (entry.Exception is { } ex)
                json.WriteString("description", ex.Message);
            json.WriteNumber("ms", Math.Round(entry.Duration.TotalMilliseconds, 1));
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static string StatusText(HealthStatus status) =>
        status switch
        {
            HealthStatus.Healthy => "healthy",
            HealthStatus.Degraded => "degraded",
            _ => "unhealthy",
        };
}
