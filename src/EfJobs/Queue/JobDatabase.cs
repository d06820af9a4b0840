using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EfJobs.Queue;

/// <summary>
/// <see cref="IJobDatabase"/> over <typeparamref name="TContext"/>: from the application's
/// <see cref="IDbContextFactory{TContext}"/> when it registered one (pooled factories make a lease nearly free),
/// otherwise from a fresh scope.
/// </summary>
internal sealed class JobDatabase<TContext>(IServiceProvider services) : IJobDatabase
    where TContext : DbContext
{
    private readonly IDbContextFactory<TContext>? _factory = services.GetService<IDbContextFactory<TContext>>();

    public Type ContextType => typeof(TContext);

    public async Task<T> RunAsync<T>(Func<DbContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        AsyncServiceScope? scope = null;
        TContext context;
        if (_factory is not null)
        {
            context = await _factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            scope = services.CreateAsyncScope();
            context = scope.Value.ServiceProvider.GetRequiredService<TContext>();
        }

        try
        {
            await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await work(context, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await context.Database.CloseConnectionAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            if (scope is { } s)
            {
                await s.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                await context.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public T WithContext<T>(Func<DbContext, T> read)
    {
        if (_factory is not null)
        {
            using var context = _factory.CreateDbContext();
            return read(context);
        }

        using var scope = services.CreateScope();
        return read(scope.ServiceProvider.GetRequiredService<TContext>());
    }

    public Task ReloadTypesAsync(CancellationToken cancellationToken) =>
        RunAsync(
            async (db, ct) =>
            {
                await ((NpgsqlConnection)db.Database.GetDbConnection()).ReloadTypesAsync(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
}
