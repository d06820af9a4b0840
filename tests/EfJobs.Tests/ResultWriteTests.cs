using EfJobs.Queue;
using EfJobs.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace EfJobs.Tests;

/// <summary>
/// A handler's error whose text PostgreSQL would refuse, or that cannot even be formatted, is still recorded as an
/// attempt (issue 11, inputs 1-3). On the code before the runner rewrite (6601448) each of these left the row
/// <c>running</c> forever: the failure write was refused (NUL: 22021; lone surrogate: the encoder throws; throwing
/// ToString(): the write was never built), retried, given up, and the heartbeat kept locked_at fresh. So the waits below
/// for <c>retry</c> and <c>failed</c> time out there.
/// </summary>
public class ResultWriteTests(TestDatabase database) : DatabaseTest(database)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static TheoryData<string, string> BadErrors => new()
    {
        // verb, what last_error must contain
        { "throw-nul", "System.InvalidOperationException: upstream replied: abc\\0def" },
        { "throw-surrogate", "System.InvalidOperationException: upstream replied: \uFFFD alone" },
        { "throw-bad-tostring", "EfJobs.Tests.Infrastructure.UnprintableTestException: " + TestJobHandler.UnprintableMessage },
    };

    [Theory]
    [MemberData(nameof(BadErrors))]
    public async Task A_failed_attempt_with_an_unwritable_error_is_recorded_as_a_retry(string verb, string expected)
    {
        // A backoff of an hour: after the first attempt the row must rest in retry, unlocked, with the attempt counted.
        await using var host = await RunnerHost.StartAsync(Database, o =>
        {
            o.MaxAttempts = 3;
            o.Backoff = BackoffStrategy.Linear(TimeSpan.FromHours(1));
        });
        var job = (await AddTestJobsAsync(1, (j, _) => j.Payload = verb)).Single();

        await WaitForAsync($"SELECT count(*) = 1 FROM test_jobs WHERE id = '{job.Id}' AND status = 'job_status_retry'", host);
        var row = await RowAsync(job.Id);
        Assert.Equal(1, row.AttemptsCount);
        Assert.Null(row.LockedBy);
        Assert.Null(row.LockedAt);
        Assert.Contains(expected, row.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain('\0', row.LastError!);
        Assert.Equal(1, host.Probe.ExecutionsById[job.Id]);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM test_jobs WHERE status = 'job_status_running'"));

        // The failure was logged, even for an exception that cannot print itself.
        Assert.Contains(host.Logs.Entries, e => e.EventId == 202 && e.Message.Contains(job.Id.ToString(), StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(BadErrors))]
    public async Task A_job_whose_error_cannot_be_written_as_is_ends_failed_after_MaxAttempts(string verb, string expected)
    {
        await using var host = await RunnerHost.StartAsync(Database, o => o.MaxAttempts = 2);
        var job = (await AddTestJobsAsync(1, (j, _) => j.Payload = verb)).Single();

        await WaitForAsync($"SELECT count(*) = 1 FROM test_jobs WHERE id = '{job.Id}' AND status = 'job_status_failed'", host);
        var row = await RowAsync(job.Id);
        Assert.Equal(2, row.AttemptsCount);
        Assert.Null(row.LockedBy);
        Assert.Contains(expected, row.LastError, StringComparison.Ordinal);
        Assert.Equal(2, host.Probe.ExecutionsById[job.Id]);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM test_jobs WHERE status = 'job_status_running'"));
    }

    [Fact]
    public async Task An_exception_whose_ToString_throws_is_described_by_type_message_and_a_note()
    {
        await using var host = await RunnerHost.StartAsync(Database, o => o.MaxAttempts = 1);
        var job = (await AddTestJobsAsync(1, (j, _) => j.Payload = "throw-bad-tostring")).Single();

        await WaitForAsync($"SELECT count(*) = 1 FROM test_jobs WHERE id = '{job.Id}' AND status = 'job_status_failed'", host);
        var error = (await RowAsync(job.Id)).LastError!;
        Assert.StartsWith("EfJobs.Tests.Infrastructure.UnprintableTestException: " + TestJobHandler.UnprintableMessage, error, StringComparison.Ordinal);
        Assert.Contains("(its ToString() threw System.InvalidOperationException)", error, StringComparison.Ordinal);
        Assert.Contains("TestJobHandler.PerformAsync", error, StringComparison.Ordinal);
    }

    // Built here, not passed as theory data: a lone surrogate in a test case's name does not survive the test runner.
    private static readonly string[] TextsToBound =
    [
        // Long, with surrogate pairs across every possible cut point near MaxLength (both parities).
        new string('a', JobErrorText.MaxLength - 60) + string.Concat(Enumerable.Repeat("\uD83D\uDE00", 200)),
        new string('a', JobErrorText.MaxLength - 61) + string.Concat(Enumerable.Repeat("\uD83D\uDE00", 200)),
        // NUL and lone surrogates of both halves, short and long.
        "a\0b\uD83Dc\uDE00d\uDE00\uD83D",
        string.Concat(Enumerable.Repeat("x\0\uD83D\uDE00\uDC00", JobErrorText.MaxLength / 3)),
        "\uD83D",
        "",
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task Bound_keeps_text_within_MaxLength_never_splits_a_pair_and_PostgreSQL_takes_it(int textCase)
    {
        var bounded = JobErrorText.Bound(TextsToBound[textCase]);

        Assert.True(bounded.Length <= JobErrorText.MaxLength, $"{bounded.Length} characters");
        Assert.DoesNotContain('\0', bounded);
        for (var i = 0; i < bounded.Length; i++)
        {
            if (char.IsHighSurrogate(bounded[i]))
            {
                Assert.True(i + 1 < bounded.Length && char.IsLowSurrogate(bounded[i + 1]), $"a high surrogate without its pair at {i}");
                i++;
            }
            else
            {
                Assert.False(char.IsLowSurrogate(bounded[i]), $"a lone low surrogate at {i}");
            }
        }

        // A strict UTF-8 encoder accepts it, and a PostgreSQL text column gives back exactly what was written.
        _ = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetByteCount(bounded);
        await using var connection = await Database.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT $1::text", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = bounded });
        Assert.Equal(bounded, (string)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public void Bound_leaves_a_valid_short_text_alone_and_says_how_much_it_cut()
    {
        Assert.Equal("plain \uD83D\uDE00 text", JobErrorText.Bound("plain \uD83D\uDE00 text"));
        Assert.Equal("a\\0b\uFFFDc", JobErrorText.Bound("a\0b\uD83Dc"));
        var cut = JobErrorText.Bound(new string('a', JobErrorText.MaxLength + 500));
        Assert.Equal(JobErrorText.MaxLength, cut.Length);
        Assert.Matches(@"\n\.\.\. \(\d+ characters cut\)$", cut);
    }

    private async Task WaitForAsync(string condition, RunnerHost host)
    {
        try
        {
            await Eventually.TrueAsync(() => ScalarAsync<bool>(condition), Patience, condition);
        }
        catch (TimeoutException exception)
        {
            var rows = await ScalarAsync<string>("SELECT coalesce(string_agg(status::text || ' attempts ' || attempts_count || ' locked_by ' || coalesce(locked_by::text, '-'), '; '), 'none') FROM test_jobs");
            throw new TimeoutException($"{exception.Message} Rows: {rows}. Log:\n" + string.Join("\n", host.Logs.Entries.Select(e => $"{e.Level} {e.EventId} {e.Message}")), exception);
        }
    }

    private async Task<TestJob> RowAsync(Guid id)
    {
        await using var db = CreateContext();
        return await db.TestJobs.AsNoTracking().SingleAsync(j => j.Id == id);
    }
}
