using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace BulkCerts.Tests.Support;

/// <summary>A log entry of the AppHost, or a console line of a resource that the AppHost forwarded.</summary>
internal sealed record CapturedLogLine(string Category, LogLevel Level, string Text);

/// <summary>
/// Stores every log entry written through the AppHost's logger factory. The testing builder of Aspire 13.6
/// forwards each console line of each resource instance to that factory, under the category
/// <c>{AppHost}.Resources.{resource}</c>, so this also captures the output of every replica.
/// </summary>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLogLine> _lines = new();

    public IReadOnlyCollection<CapturedLogLine> Lines => [.. _lines];

    /// <summary>Returns how many lines the instances of one resource wrote.</summary>
    public int CountResourceLines(string resourceName) =>
        _lines.Count(line => line.Category.EndsWith($".Resources.{resourceName}", StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<CapturedLogLine> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(
            LogLevel logLevel,
            EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            var text = exception is null ? formatter(state, null) : $"{formatter(state, exception)}\n{exception}";
            lines.Enqueue(new CapturedLogLine(category, logLevel, text));
        }
    }
}
