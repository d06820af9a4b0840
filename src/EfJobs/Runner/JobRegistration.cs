using EfJobs.Queue;
using EfJobs.Runner;

namespace EfJobs.Runner;

/// <summary>One job type registered with AddJob: the name of its options and how to build its runner.</summary>
internal abstract class JobRegistration(Type jobType)
{
    public Type JobType { get; } = jobType;

    /// <summary>The name of the type's <see cref="JobOptions"/> in the options system: the full type name, unique per process.</summary>
    public string OptionsName => JobType.FullName ?? JobType.Name;

    public abstract IJobTypeRunner CreateRunner(IServiceProvider services, IJobDatabase database, JobRunnerContext runner, JobOptions options, LivenessState liveness);
}
