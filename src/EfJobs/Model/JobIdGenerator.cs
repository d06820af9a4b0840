using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.ValueGeneration;

namespace EfJobs.Model;

/// <summary>
/// Gives a job added through EF a time-ordered id (UUID version 7) when it has none.
/// </summary>
/// <remarks>
/// Every state change of a job updates an indexed column, so no update is HOT and each one adds a primary-key entry
/// next to the job's id. With random ids (the column default, gen_random_uuid(), kept for IHP and plain SQL) those
/// entries land on random pages of a key index that grows with every finished row; with time-ordered ids the jobs in
/// flight share a few recent pages. The bloat benchmark (1,000,000 finished rows) went from 0.78 to 0.91 of the
/// empty-table throughput with this.
/// </remarks>
internal sealed class JobIdGenerator : ValueGenerator<Guid>
{
    public override bool GeneratesTemporaryValues => false;

    public override Guid Next(EntityEntry entry) => Guid.CreateVersion7();
}
