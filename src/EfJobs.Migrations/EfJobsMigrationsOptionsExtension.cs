using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EfJobs.Migrations;

/// <summary>
/// The DbContext options extension that UseEfJobsMigrations() adds: EfJobs' SQL generator, and the differ wrapper that
/// puts notification trigger operations into migrations.
/// </summary>
internal sealed class EfJobsMigrationsOptionsExtension : IDbContextOptionsExtension
{
    private ExtensionInfo? _info;

    public DbContextOptionsExtensionInfo Info => _info ??= new ExtensionInfo(this);

    public void ApplyServices(IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Scoped<IMigrationsSqlGenerator, EfJobsMigrationsSqlGenerator>());
        DecorateModelDiffer(services);
    }

    public void Validate(IDbContextOptions options)
    {
    }

    // The provider registered its differ before this extension runs (UseEfJobsMigrations is called inside UseNpgsql's
    // options action, after Npgsql's extension was added). The wrapper builds that registration itself, so it never
    // names EF's internal MigrationsModelDiffer type.
    private static void DecorateModelDiffer(IServiceCollection services)
    {
        var provider = services.LastOrDefault(d => d.ServiceType == typeof(IMigrationsModelDiffer) && !d.IsKeyedService)
            ?? throw new InvalidOperationException(
                "EfJobs.Migrations found no migrations model differ to extend. Call UseEfJobsMigrations() inside UseNpgsql's options action: " +
                "options.UseNpgsql(connectionString, npgsql => npgsql.UseEfJobs().UseEfJobsMigrations()).");
        services.Remove(provider);
        services.Add(ServiceDescriptor.Describe(
            typeof(IMigrationsModelDiffer),
            serviceProvider => new JobNotificationModelDiffer((IMigrationsModelDiffer)Create(serviceProvider, provider)),
            provider.Lifetime));
    }

    private static object Create(IServiceProvider serviceProvider, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(serviceProvider)
        ?? ActivatorUtilities.CreateInstance(serviceProvider, descriptor.ImplementationType!);

    private sealed class ExtensionInfo(IDbContextOptionsExtension extension) : DbContextOptionsExtensionInfo(extension)
    {
        public override bool IsDatabaseProvider => false;

        public override string LogFragment => "using EfJobs.Migrations ";

        public override int GetServiceProviderHashCode() => 0;

        public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) => other is ExtensionInfo;

        public override void PopulateDebugInfo(IDictionary<string, string> debugInfo) => debugInfo["EfJobs.Migrations"] = "1";
    }
}
