namespace EfJobs.Diagnostics;

/// <summary>
/// Stands in, in log calls and traces, for a handler's exception whose own <c>ToString()</c> throws: loggers call it,
/// and a throwing logger call would lose the line (or worse, the result write after it).
/// </summary>
internal sealed class UnprintableException(Type original, string description) : Exception(description)
{
    public Type Original { get; } = original;

    public override string ToString() => Message;
}
