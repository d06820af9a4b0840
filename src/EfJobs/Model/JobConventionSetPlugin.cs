using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;

namespace EfJobs.Model;

/// <summary>Adds <see cref="JobModelConvention"/> and <see cref="RecurringJobScheduleConvention"/> to the context's conventions (registered by UseEfJobs()).</summary>
internal sealed class JobConventionSetPlugin : IConventionSetPlugin
{
    public ConventionSet ModifyConventions(ConventionSet conventionSet)
    {
        // After the provider's conventions: Npgsql sets up mapped enums while finalizing, and the job mapping
        // corrects the order of job_status's labels after it.
        var conventions = conventionSet.ModelFinalizingConventions;
        var npgsql = conventions.FindLastIndex(c => c.GetType().Name == "NpgsqlPostgresModelFinalizingConvention");
        conventions.Insert(npgsql < 0 ? conventions.Count : npgsql + 1, new JobModelConvention());
        conventions.Insert(npgsql < 0 ? conventions.Count : npgsql + 1, new RecurringJobScheduleConvention());
        return conventionSet;
    }
}
