using EfJobs;
using EfJobs.Model;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Per-job-type settings of EfJobs' mapping.</summary>
public static class JobEntityTypeBuilderExtensions
{
    /// <summary>
    /// Stores the W3C trace context of the activity that enqueues a job of this type with its row: two nullable text
    /// columns, <c>trace_parent</c> and <c>trace_state</c>, that the next migration adds. SaveChanges fills them when
    /// an activity is current, and the attempt's activity becomes its child or links to it
    /// (<see cref="EfJobsOptions.TraceMode"/>). Without this call the columns are not mapped, so a table created by IHP
    /// (or by an earlier migration) works unchanged.
    /// </summary>
    /// <example><c>modelBuilder.Entity&lt;SendMailJob&gt;().StoreTraceContext();</c></example>
    /// <typeparam name="TJob">The job type.</typeparam>
    /// <param name="builder">The job type's builder, from <c>modelBuilder.Entity&lt;TJob&gt;()</c>.</param>
    /// <param name="store">False maps the columns no more (the next migration drops them).</param>
    /// <returns>The same builder, for chaining.</returns>
    public static EntityTypeBuilder<TJob> StoreTraceContext<TJob>(this EntityTypeBuilder<TJob> builder, bool store = true)
        where TJob : JobBase
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.HasAnnotation(JobModelAnnotations.TraceContext, store);
        return builder;
    }
}
