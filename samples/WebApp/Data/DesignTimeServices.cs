// With a ProjectReference to EfJobs.Migrations this one line points `dotnet ef` at EfJobs' design-time services, so
// `migrations add` writes CreateJobNotificationTriggers for every job table. The NuGet package adds it by itself.
[assembly: Microsoft.EntityFrameworkCore.Design.DesignTimeServicesReference(
    "EfJobs.Migrations.Design.EfJobsDesignTimeServices, EfJobs.Migrations")]
