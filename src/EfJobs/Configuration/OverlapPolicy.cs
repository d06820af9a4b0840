namespace EfJobs;

/// <summary>Whether a recurring job's tick makes a job while the job of an earlier tick has not finished.</summary>
public enum OverlapPolicy
{
    /// <summary>Every tick makes a job, finished or not the previous one. The default.</summary>
    Allow,

    /// <summary>
    /// A tick whose schedule's previous job is still not started, waiting for a retry or running is claimed without
    /// a job (it counts as run, and is not caught up later).
    /// </summary>
    Skip,
}
