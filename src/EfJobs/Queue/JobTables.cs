using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using EfJobs.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace EfJobs.Queue;

/// <summary>Caches each job type's <see cref="JobTable"/> per EF model, so no statement reads model metadata twice.</summary>
internal static class JobTables
{
    private static readonly ConditionalWeakTable<IModel, ConcurrentDictionary<Type, JobTable>> Cache = new();

    public static JobTable Get<TJob>(DbContext db)
        where TJob : JobBase => Get(db, typeof(TJob));

    public static JobTable Get(DbContext db, Type jobType)
    {
        var model = db.Model;
        var tables = Cache.GetValue(model, static _ => new ConcurrentDictionary<Type, JobTable>());
        return tables.GetOrAdd(jobType, static (type, state) => JobTable.For(state.model, type, state.contextType), (model, contextType: db.GetType()));
    }
}
