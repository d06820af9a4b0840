using EfJobs.Tests.Infrastructure;

namespace EfJobs.Tests;

/// <summary>RunAt set from DateTime.Now or new DateTime(...) (issue 12, input 7).</summary>
public class RunAtKindTests(TestDatabase database) : DatabaseTest(database)
{
    [Fact]
    public async Task A_local_RunAt_is_the_same_instant_in_UTC()
    {
        var local = DateTime.Now.AddMinutes(30);
        await using (var db = CreateContext())
        {
            db.Add(new TestJob { Payload = "local", RunAt = local });
            await db.SaveChangesAsync();
        }

        var stored = await ScalarAsync<DateTime>("SELECT run_at FROM test_jobs");
        Assert.Equal(DateTimeKind.Utc, stored.Kind);
        Assert.Equal(local.ToUniversalTime(), stored, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task An_unspecified_RunAt_is_refused_with_a_message_naming_the_property_and_the_fix()
    {
        await using var db = CreateContext();
        db.Add(new TestJob { Payload = "unspecified", RunAt = new DateTime(2030, 1, 1, 9, 0, 0) });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        Assert.Contains("TestJob.RunAt", error.Message, StringComparison.Ordinal);
        Assert.Contains("DateTimeKind.Unspecified", error.Message, StringComparison.Ordinal);
        Assert.Contains("DateTime.SpecifyKind(value, DateTimeKind.Utc)", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM test_jobs"));
    }

    [Fact]
    public async Task A_modified_job_is_checked_too_and_an_unset_RunAt_still_means_now()
    {
        await using var db = CreateContext();
        var job = new TestJob { Payload = "unset" };
        db.Add(job);
        await db.SaveChangesAsync();
        Assert.True(await ScalarAsync<bool>("SELECT run_at <= now() FROM test_jobs"));

        job.RunAt = DateTime.Now.AddHours(1);
        await db.SaveChangesAsync();
        Assert.True(await ScalarAsync<bool>("SELECT run_at BETWEEN now() + interval '59 minutes' AND now() + interval '61 minutes' FROM test_jobs"));
    }
}
