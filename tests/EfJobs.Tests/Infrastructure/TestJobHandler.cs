using System.Globalization;

namespace EfJobs.Tests.Infrastructure;

/// <summary>
/// Does what the job's payload says: "ok", "fail", "sleep:MS" (honours its token), "hang:MS" (ignores its token),
/// "enqueue" (adds an OtherJob through the DbContext it was given), "fail-once".
/// </summary>
public sealed class TestJobHandler(JobProbe probe, TestDbContext db) : IJobHandler<TestJob>
{
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
