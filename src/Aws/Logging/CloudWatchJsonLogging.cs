using Microsoft.Extensions.Logging;

namespace MobZ.Aws.Logging;

/// <summary>The console log of every process that runs on AWS (Lambda functions, Munit tasks).</summary>
public static class CloudWatchJsonLogging
{
    /// <summary>One JSON object per line (CloudWatch Logs keeps each line as one event), a UTC timestamp, and
    /// the scopes (connection, room, station, request ids) as queryable fields.</summary>
    public static ILoggingBuilder AddCloudWatchJsonConsole(this ILoggingBuilder logging) =>
        logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
        });
}
