using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EfJobs.Tests.Infrastructure;

/// <summary>Keeps every log line, so tests can assert on what the runner said.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, int EventId, string Message, string Category)> Entries { get; } = new();

    /// <summary>The lowest level kept (the host's own filter applies first).</summary>
    public LogLevel MinimumLevel { get; init; } = LogLevel.Information;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public bool Contains(int eventId, string text) =>
        Entries.Any(e => e.EventId == eventId && e.Message.Contains(text, StringComparison.Ordinal));

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Entries.Enqueue((logLevel, eventId.Id, formatter(state, exception) + (exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message), category));
            }
        }
    }
}
