using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace MobZ.TestKit.Logging;

/// <summary>
/// Sends the logs of hosts a test runs in-process to the test's output, each line stamped with the time and
/// the host's name, so a failure on a loaded CI machine shows what each host did and when (ASP.NET's and the
/// runtime's chatter left out).
/// </summary>
public static class TestOutputLogging
{
    public static Action<ILoggingBuilder> To(ITestOutputHelper output, string host) =>
        builder =>
        {
            builder.ClearProviders();
            builder.SetMinimumLevel(LogLevel.Information);
            builder.AddFilter("Microsoft", LogLevel.Warning);
            builder.AddFilter("System", LogLevel.Warning);
            builder.AddProvider(new Provider(output, host));
        };

    private sealed class Provider(ITestOutputHelper output, string host) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(output, host, categoryName);

        public void Dispose() { }
    }

    private sealed class Logger(ITestOutputHelper output, string host, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(
            LogLevel logLevel,
            EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter
        )
        {
            string line =
                $"{DateTime.UtcNow:HH:mm:ss.fff} [{host}] {logLevel} {category}: {formatter(state, exception)}";
            if (exception is not null)
                line += $" ({exception.GetType().Name}: {exception.Message})";
            output.TryWriteLine(line);
        }
    }
}

public static class TestOutputExtensions
{
    /// <summary>Writes to the test's output unless the test has finished (a host or child process still shutting down
    /// has nowhere to write).</summary>
    public static void TryWriteLine(this ITestOutputHelper output, string line)
    {
        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException) { }
    }
}
