using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using MobZ.LocalStack.Hosting;

namespace MobZ.LocalStack.Tests.Logging;

/// <summary>
/// The console log of <c>make run</c> as an operator reads it: the ids our handlers put in scope are printed
/// as values, and the JSON lines carry a timestamp. Each test formats one entry with the formatter the host
/// really configured.
/// </summary>
public sealed class ConsoleLogTests
{
    [Fact]
    public async Task Plain_text_log_lines_show_scope_ids_as_values_not_type_names()
    {
        var line = await FormatAsync(format: null);
        Assert.DoesNotContain("Dictionary`2", line);
        Assert.Contains("connectionId=conn-1", line);
        Assert.Contains("roomId=team-42", line);
        Assert.Contains("Munit munit-7", line);
        Assert.Contains("joined the room", line);
        Assert.Single(line.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Json_log_lines_carry_a_utc_timestamp_and_the_scope_values()
    {
        var line = await FormatAsync(format: "json");
        using var json = JsonDocument.Parse(line);
        var timestamp = json.RootElement.GetProperty("Timestamp").GetString();
        Assert.True(DateTimeOffset.TryParse(timestamp, out var at), $"timestamp {timestamp}");
        Assert.Equal(TimeSpan.Zero, at.Offset);
        Assert.Contains("team-42", json.RootElement.GetProperty("Scopes").GetRawText());
    }

    private static async Task<string> FormatAsync(string? format)
    {
        await using var app = await LocalStackHost.BuildAsync(
            new LocalStackOptions
            {
                Urls = "http://127.0.0.1:0",
                Redis = "",
                LogFormat = format,
                PrintReadyLine = false,
            }
        );
        var name = app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName;
        var formatter = app.Services.GetServices<ConsoleFormatter>().Single(f => f.Name == name);

        var scopes = new LoggerExternalScopeProvider();
        using var connection = scopes.Push(new Dictionary<string, object> { ["connectionId"] = "conn-1" });
        using var room = scopes.Push(new Dictionary<string, object> { ["roomId"] = "team-42" });
        using var munit = scopes.Push(new FormattedScope("Munit munit-7"));
        var entry = new LogEntry<string>(
            LogLevel.Information,
            "MobZ.Test",
            new EventId(0),
            "joined the room",
            null,
            (s, _) => s
        );
        using var writer = new StringWriter();
        formatter.Write(in entry, scopes, writer);
        return writer.ToString();
    }

    /// <summary>A scope that is only text, as a message-template scope prints.</summary>
    private sealed record FormattedScope(string Text)
    {
        public override string ToString() => Text;
    }
}
