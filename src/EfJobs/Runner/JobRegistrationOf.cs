using EfJobs.Queue;
using EfJobs.Runner;

namespace EfJobs.Runner;

/// <summary>The registration of <typeparamref name="TJob"/>: builds its store and runner without reflection.</summary>
internal sealed class JobRegistration<TJob>() : JobRegistration(typeof(TJob))
    where TJob : JobBase
{
    public override IJobTypeRunner CreateRunner(IServiceProvider services, IJobDatabase database, JobRunnerContext runner, JobOptions options, LivenessState liveness)
    {
        var table = database.WithContext(db => JobTables.Get<TJob>(db));
        var store = new JobStore<TJob>(database, table, runner.WorkerId, options);
        return new JobTypeRunner<TJob>(services, store, runner, options, liveness);
    }
}
