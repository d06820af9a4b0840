using System.Collections.Concurrent;
using EfJobs.Model;
using EfJobs.Queue;
using EfJobs.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace EfJobs.Tests.Components;

/// <summary>
/// A fake of the queue statements for fast tests of the runner's components: an in-memory list of due jobs and a
/// record of every write. Each statement can be made to fail. Never used where the database's behaviour is under test.
/// </summary>
internal sealed class FakeJobStore : IJobStore<TestJob>
{
    private static readonly Lazy<JobTable> TestTable = new(() =>
    {
        // The model only: no connection is opened.
        using var db = new TestDbContext(new DbContextOptionsBuilder<TestDbContext>().UseNpgsql("Host=127.0.0.1", o => o.UseEfJobs()).Options);
        return JobTables.Get<TestJob>(db);
    });

    public ConcurrentQueue<TestJob> Due { get; } = new();

    public ConcurrentBag<Guid> Succeeded { get; } = [];

    public ConcurrentDictionary<Guid, (string Error, JobStatus FinalStatus)> Failed { get; } = new();

    public ConcurrentBag<Guid> GivenBack { get; } = [];

    /// <summary>Throws this (and clears it) on the next success write.</summary>
    public Func<Exception?> SucceedFailure { get; set; } = () => null;

    /// <summary>Decides, per failure write and error text, whether to throw.</summary>
    public Func<string, Exception?> FailFailure { get; set; } = _ => null;

    public int SucceedCalls;
    public int FetchCalls;

    public JobTable Table => TestTable.Value;

    public Task<IReadOnlyList<TestJob>> FetchAsync(int limit, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref FetchCalls);
        var jobs = new List<TestJob>();
        while (jobs.Count < limit && Due.TryDequeue(out var job))
        {
            job.AttemptsCount++;
            jobs.Add(job);
        }

        return Task.FromResult<IReadOnlyList<TestJob>>(jobs);
    }

    public Task<IReadOnlyList<TestJob>> SalvageAsync(IReadOnlyCollection<Guid> held, Action<Guid, int, Exception> unreadable, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TestJob>>([]);

    public Task<int> SucceedAsync(IReadOnlyCollection<TestJob> jobs, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref SucceedCalls);
        if (SucceedFailure() is { } failure)
        {
            throw failure;
        }

        foreach (var job in jobs)
        {
            Succeeded.Add(job.Id);
        }

        return Task.FromResult(jobs.Count);
    }

    public Task<bool> FailAsync(TestJob job, string lastError, JobStatus finalStatus, CancellationToken cancellationToken)
    {
        if (FailFailure(lastError) is { } failure)
        {
            throw failure;
        }

        Failed[job.Id] = (lastError, finalStatus);
        return Task.FromResult(true);
    }

    public Task<int> HeartbeatAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken) => Task.FromResult(ids.Count);

    public Task<int> GiveBackAsync(IReadOnlyCollection<Guid> interrupted, string reason, CancellationToken cancellationToken)
    {
        foreach (var id in interrupted)
        {
            GivenBack.Add(id);
        }

        return Task.FromResult(interrupted.Count);
    }

    public Task<int> RescueStaleAsync(TimeSpan staleJobTimeout, CancellationToken cancellationToken) => Task.FromResult(0);

    public Task<TimeSpan?> TimeUntilNextDueAsync(CancellationToken cancellationToken) =>
        Task.FromResult<TimeSpan?>(Due.IsEmpty ? null : TimeSpan.Zero);

    public Task<JobPollResult> PollAsync(bool repairTriggers, CancellationToken cancellationToken) =>
        Task.FromResult(new JobPollResult(true, false, Due.IsEmpty ? null : TimeSpan.Zero));
}
