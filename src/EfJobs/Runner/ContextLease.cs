using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EfJobs.Runner;

/// <summary>
/// A DbContext for one runner statement or batch: from the application's IDbContextFactory when it registered one
/// (pooled factories make this nearly free), otherwise from a fresh scope.
/// </summary>
internal readonly struct ContextLease<TContext> : IAsyncDisposable
    where TContext : DbContext
{
    private readonly AsyncServiceScope? _scope;

    private ContextLease(AsyncServiceScope? scope, TContext context)
    {
        _scope = scope;
        Context = context;
    }

    public TContext Context { get; }

    public static async ValueTask<ContextLease<TContext>> CreateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (services.GetService<IDbContextFactory<TContext>>() is { } factory)
        {
            return new ContextLease<TContext>(null, await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false));
        }

        var scope = services.CreateAsyncScope();
        return new ContextLease<TContext>(scope, scope.ServiceProvider.GetRequiredService<TContext>());
    }

    public async ValueTask DisposeAsync()
    {
        if (_scope is { } scope)
        {
            await scope.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            await Context.DisposeAsync().ConfigureAwait(false);
        }
    }
}
