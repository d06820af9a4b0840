namespace EfJobs.Migrations.Tests.LegalModels;

public sealed class RecordingHandler<TJob>(LegalModelsRecorder recorder) : IJobHandler<TJob>
    where TJob : JobBase
{
    public Task PerformAsync(TJob job, CancellationToken cancellationToken)
    {
        recorder.Record(job);
        return Task.CompletedTask;
    }
}
