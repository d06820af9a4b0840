namespace EfJobs.Benchmarks.Infrastructure;

/// <summary>A correctness check failed (a job lost or run twice): the run exits non-zero, in smoke mode too.</summary>
public sealed class BenchCheckFailedException : Exception
{
    public BenchCheckFailedException()
    {
    }

    public BenchCheckFailedException(string message)
        : base(message)
    {
    }

    public BenchCheckFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
