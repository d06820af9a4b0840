namespace EfJobs.Diagnostics;

/// <summary>
/// The attribute names EfJobs puts on spans and measurements: OpenTelemetry's messaging semantic conventions where
/// one applies, <c>efjobs.*</c> for the rest.
/// </summary>
internal static class SemanticConventions
{
    public const string MessagingSystem = "messaging.system";
    public const string OperationType = "messaging.operation.type";
    public const string OperationName = "messaging.operation.name";
    public const string DestinationName = "messaging.destination.name";
    public const string MessageId = "messaging.message.id";
    public const string ErrorType = "error.type";
    public const string Attempt = "efjobs.job.attempt";
    public const string Outcome = "efjobs.job.outcome";
    public const string WorkerId = "efjobs.worker.id";
    public const string EnqueueEvent = "efjobs.enqueue";
}
