using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace MobZ.LocalStack.Logging;

/// <summary>
/// The local stack's plain-text console log: one line per entry, with every scope written as its values
/// (<c>connectionId=… roomId=…</c>). The built-in simple formatter prints a scope with <c>ToString()</c>, which for
/// the dictionaries our handlers open their scopes with is only a type name.
/// </summary>
internal sealed class PlainConsoleFormatter(IOptionsMonitor<SimpleConsoleFormatterOptions> options)
    : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "mobz-plain";

    public override void Write<TState>(
        in LogEntry<TState> logEntry,
        IExternalScopeProvider? scopeProvider,
        TextWriter textWriter
    )
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
            return;
        var settings = options.CurrentValue;

        var line = new System.Text.StringBuilder(160);
        if (settings.TimestampFormat is { } format)
        {
            var now = settings.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now;
            line.Append(now.ToString(format, CultureInfo.InvariantCulture));
        }
        line.Append(Level(logEntry.LogLevel)).Append(": ").Append(logEntry.Category);
        if (settings.IncludeScopes && scopeProvider is not null)
        {
            scopeProvider.ForEachScope(static (scope, builder) => AppendScope(builder, scope), line);
        }
        line.Append(' ').Append(message);
        if (logEntry.Exception is { } exception)
            line.Append(' ').Append(exception.ToString().ReplaceLineEndings(" | "));
        textWriter.WriteLine(line.ToString());
    }

    /// <summary>Writes one scope: its key/value pairs (a message-template scope also carries its text as
    /// "{OriginalFormat}", which is skipped), or its text when it has no pairs.</summary>
    internal static void AppendScope(System.Text.StringBuilder line, object? scope)
    {
        if (scope is null)
            return;
        line.Append(" =>");
        if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (key, value) in pairs)
            {
                if (key == "{OriginalFormat}")
                    continue;
                line.Append(' ').Append(key).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture));
            }
        }
        else if (scope is IEnumerable<KeyValuePair<string, object>> strict)
        {
            foreach (var (key, value) in strict)
                line.Append(' ').Append(key).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture));
        }
        else
        {
            line.Append(' ').Append(scope);
        }
    }

    private static string Level(LogLevel level) =>
        level switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            LogLevel.Critical => "crit",
            _ => "none",
        };
}
