namespace EfJobs.Migrations;

/// <summary>
/// Whether <c>dotnet ef</c> configured EfJobs' design-time services in this process. A type of its own, not a member of
/// EfJobsDesignTimeServices: reading it must not load the Design assembly, which an application does not ship.
/// </summary>
internal static class DesignTimeServicesState
{
    public static bool Configured { get; set; }
}
