using EfJobs.Runner;
using Microsoft.EntityFrameworkCore;

namespace EfJobs.DependencyInjection;

/// <summary>One job type registered with AddJob: its handler, its options and how to build its runner.</summary>
internal abstract class JobRegistration(Type jobType, Type handlerType, JobOptions options)
{
    public Type JobType { get; } = jobType;

    public Type HandlerType { get; } = handlerType;

    public JobOptions Options { get; } = options;

    public abstract IJobTypeRunner CreateRunner(IServiceProvider services, JobRunnerContext context);
}

/// <inheritdoc />
internal sealed class JobRegistration<TContext, TJob>(Type handlerType, JobOptions options) : JobRegistration(typeof(TJob), handlerType, options)
    where TContext : DbContext
    where TJob : JobBase
{
    public override IJobTypeRunner CreateRunner(IServiceProvider services, JobRunnerContext context) =>
        new JobTypeRunner<TContext, TJob>(services, context, Options);
}
