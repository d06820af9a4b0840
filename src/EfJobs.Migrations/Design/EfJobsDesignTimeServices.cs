using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Migrations.Design;
using Microsoft.Extensions.DependencyInjection;

namespace EfJobs.Migrations.Design;

/// <summary>
/// The design-time services <c>dotnet ef</c> needs to write EfJobs' operations into migration files. The package's
/// build props point the tools here with
/// <c>[assembly: DesignTimeServicesReference("EfJobs.Migrations.Design.EfJobsDesignTimeServices, EfJobs.Migrations")]</c>;
/// with a ProjectReference, put that line into the project that holds the DbContext.
/// </summary>
/// <remarks>
/// Besides the C# generator of EfJobs' operations it installs <see cref="EfJobsMigrationsScaffolder"/>, which makes
/// <c>migrations add</c> fail with a message naming <c>UseEfJobs()</c> or <c>UseEfJobsMigrations()</c> when the
/// design-time options lack one of them.
/// </remarks>
public class EfJobsDesignTimeServices : IDesignTimeServices
{
    /// <summary>The assembly-qualified name to give <see cref="DesignTimeServicesReferenceAttribute"/>.</summary>
    public const string TypeName = "EfJobs.Migrations.Design.EfJobsDesignTimeServices, EfJobs.Migrations";

    /// <inheritdoc />
    public virtual void ConfigureDesignTimeServices(IServiceCollection serviceCollection)
    {
        // The tools add referenced services before their own defaults (which they add with TryAdd), so these win.
        serviceCollection.AddSingleton<ICSharpMigrationOperationGenerator, JobNotificationCSharpMigrationOperationGenerator>();
        serviceCollection.AddScoped<IMigrationsScaffolder, EfJobsMigrationsScaffolder>();

        // The model differ checks this, so that without the DesignTimeServicesReference line `migrations add` fails
        // with a message naming that line rather than EF's "cannot scaffold operations of type".
        DesignTimeServicesState.Configured = true;
    }
}
