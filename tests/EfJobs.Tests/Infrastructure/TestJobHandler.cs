using System.Globalization;

namespace EfJobs.Tests.Infrastructure;

/// <summary>
/// Does what the job's payload says: "ok", "fail", "sleep:MS" (honours its token), "hang:MS" (ignores its token),
/// "enqueue" (adds an OtherJob through the DbContext it was given), "fail-once", and errors whose text PostgreSQL or a
/// logger cannot take as it is: "throw-nul" (a NUL in the message), "throw-surrogate" (a lone UTF-16 surrogate),
/// "throw-bad-tostring" (an exception whose ToString() throws); "fail-on-run:N" waits (honouring its token) on
/// its first N - 1 runs in this probe and throws on run N and later, to tell runs apart when attempts are not counted.
/// </summary>
public sealed class TestJobHandler(JobProbe probe, TestDbContext db) : IJobHandler<TestJob>
{
    /// <summary>What "throw-nul" throws: PostgreSQL refuses a NUL in text (22021).</summary>
    public const string NulMessage = "upstream replied: abc\0def";

    /// <summary>What "throw-surrogate" throws: half of a surrogate pair, which the UTF-8 encoder refuses.</summary>
    public const string SurrogateMessage = "upstream replied: \uD83D alone";

    /// <summary>The message of the exception "throw-bad-tostring" throws (its Message works, its ToString() does not).</summary>
    public const string UnprintableMessage = "the message is readable, ToString() is not";

    public async Task PerformAsync(TestJob job, CancellationToken cancellationToken)
    {
        using var _ = probe.Enter(job);
        var (verb, argument) = job.Payload.Split(':') is [var v, var a] ? (v, a) : (job.Payload, "");
        switch (verb)
        {
            case "fail":
                throw new InvalidOperationException($"payload asked to fail (attempt {job.AttemptsCount})");
            case "fail-once" when job.AttemptsCount == 1:
                throw new InvalidOperationException("first attempt fails");
            case "throw-nul":
                throw new InvalidOperationException(NulMessage);
            case "throw-surrogate":
                throw new InvalidOperationException(SurrogateMessage);
            case "throw-bad-tostring":
                throw new UnprintableTestException(UnprintableMessage);
            case "fail-on-run" when probe.ExecutionsById[job.Id] >= int.Parse(argument, CultureInfo.InvariantCulture):
                throw new InvalidOperationException($"run {probe.ExecutionsById[job.Id]} fails");
            case "fail-on-run":
                await Task.Delay(Timeout.Infinite, cancellationToken);
                break;
            case "sleep":
                await Task.Delay(int.Parse(argument, CultureInfo.InvariantCulture), cancellationToken);
                break;
            case "hang":
                Thread.Sleep(int.Parse(argument, CultureInfo.InvariantCulture));
                break;
            case "enqueue":
                db.Add(new OtherJob { Number = 42 });
                await db.SaveChangesAsync(cancellationToken);
                break;
            default:
                await Task.Yield();
                break;
        }
    }
}

/// <summary>An exception whose ToString() throws, as some third-party exceptions do when their state is broken.</summary>
public sealed class UnprintableTestException(string message) : Exception(message)
{
    public override string ToString() => throw new InvalidOperationException("ToString() of this exception is broken");
}
