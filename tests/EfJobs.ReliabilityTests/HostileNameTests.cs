using EfJobs.Notifications;
using EfJobs.ReliabilityTests.Infrastructure;
using EfJobs.ReliabilityTests.Worker;
using Npgsql;
using Xunit.Abstractions;

namespace EfJobs.ReliabilityTests;

/// <summary>
/// Job tables whose names need quoting, are longer than PostgreSQL's identifiers, share their first 52 characters, or
/// are the same name in two schemas (issue 12): each runs its own jobs, woken by its own notification.
/// </summary>
public sealed class HostileNameTests(ITestOutputHelper output)
{
    private const int PerTable = 100;
    private const int LatencyProbes = 5;

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Qualified(string? schema, string table) => schema is null ? Quote(table) : Quote(schema) + "." + Quote(table);

    // Every job table of the scenario: reliability_jobs and the hostile ones.
    private static readonly (string? Schema, string Table, string Label)[] Tables =
        [(null, "reliability_jobs", "reliability_jobs"), .. ReliabilityContext.HostileTables];

    [Fact]
    public async Task Jobs_in_tables_with_hostile_long_and_same_named_tables_run_each_through_its_own_notification()
    {
        await using var database = await ReliabilityDatabase.CreateAsync();
        var truncatedLong = ReliabilityContext.LongTable[..63];
        string[] expected =
        [
            "billing.invoice_jobs", "crm.invoice_jobs", "public.customer_subscription_renewal_reminder_notification_email_jobs",
            "public.customer_subscription_renewal_reminder_notification_sms_jobs", "public.executions", "public." + ReliabilityContext.QuotedTable,
            "public.reliability_jobs", "public." + truncatedLong, "public.recurring_probe_jobs", "public.efjobs_recurring_schedules",
        ];
        Task<List<string>> TablesAsync() => database.RowsAsync("SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")
            .ContinueWith(t => t.Result.Select(r => (string)r[0]!).ToList(), TaskScheduler.Default);
        Assert.Equal(expected.Order(StringComparer.Ordinal), (await TablesAsync()).Order(StringComparer.Ordinal));

        // Every table has a channel of its own: a shared one would wake the wrong runner (or stop the runner's start).
        var channels = Tables.Select(t => JobNotificationNames.Channel(t.Table, t.Schema)).ToList();
        Assert.Equal(Tables.Length, channels.Distinct(StringComparer.Ordinal).Count());
        await using var listener = await ListenAsync(database, channels);

        // One hour between polls: a job that starts was woken by a notification.
        await using var worker = await WorkerProcess.StartAsync(database, new Dictionary<string, string> { ["REL_JOBS"] = "all", ["REL_POLL_MS"] = "3600000" });

        // One job at a time per table: its commit notifies exactly its table's channel, and it starts soon after.
        var latencies = new Dictionary<string, List<double>>();
        foreach (var (schema, table, label) in Tables)
        {
            latencies[label] = [];
            for (var i = 0; i < LatencyProbes; i++)
            {
                var before = listener.Count;
                var id = (Guid)(await database.RowsAsync($"INSERT INTO {Qualified(schema, table)} (work_ms, mode) VALUES (0, 'ok') RETURNING id"))[0][0]!;
                await listener.WaitForAsync(before + 1, TimeSpan.FromSeconds(10));
                Assert.Equal(JobNotificationNames.Channel(table, schema), listener.Last);
                await Eventually.TrueAsync(
                    async () => await database.ScalarAsync<long>("SELECT count(*) FROM executions WHERE job_id = $1", id) == 1,
                    TimeSpan.FromSeconds(30),
                    $"the job in {label} to start",
                    () => worker.Output);
                latencies[label].Add(await database.ScalarAsync<double>(
                    $"SELECT extract(epoch FROM e.started_at - j.created_at) * 1000 FROM executions e JOIN {Qualified(schema, table)} j ON j.id = e.job_id WHERE e.job_id = $1",
                    id));
            }
        }

        // Then a burst in every table at once.
        await using (var db = database.CreateContext())
        {
            for (var i = 0; i < PerTable; i++)
            {
                db.ReliabilityJobs.Add(new ReliabilityJob { WorkMs = 1 });
                db.QuotedJobs.Add(new QuotedJob { WorkMs = 1 });
                db.LongJobs.Add(new LongJob { WorkMs = 1 });
                db.EmailJobs.Add(new CustomerSubscriptionRenewalReminderNotificationEmailJob { WorkMs = 1 });
                db.SmsJobs.Add(new CustomerSubscriptionRenewalReminderNotificationSmsJob { WorkMs = 1 });
                db.BillingInvoiceJobs.Add(new BillingInvoiceJob { WorkMs = 1 });
                db.CrmInvoiceJobs.Add(new CrmInvoiceJob { WorkMs = 1 });
            }

            await db.SaveChangesAsync();
        }

        var total = Tables.Length * (PerTable + LatencyProbes);
        async Task<long> SucceededAsync()
        {
            long sum = 0;
            foreach (var (schema, table, _) in Tables)
            {
                sum += await database.ScalarAsync<long>($"SELECT count(*) FROM {Qualified(schema, table)} WHERE status = 'job_status_succeeded'");
            }

            return sum;
        }

        await Eventually.TrueAsync(async () => await SucceededAsync() == total, TimeSpan.FromSeconds(90), "the jobs of every table to succeed", () => worker.Output);
        var perTable = await database.RowsAsync("SELECT job_table, count(*), count(DISTINCT job_id) FROM executions GROUP BY job_table");
        var tablesAfter = await TablesAsync();
        var duplicated = await database.DuplicatedAsync();
        var medians = latencies.ToDictionary(l => l.Key, l => l.Value.Order().ElementAt(l.Value.Count / 2));
        Summary.Write(output, "hostile-names", 0, total, total - await SucceededAsync(), duplicated, null,
            $"{Tables.Length} tables; median start after commit per table "
            + string.Join(", ", medians.Select(m => $"{m.Key[..Math.Min(16, m.Key.Length)]}…={m.Value:0} ms")));

        Assert.Equal(Tables.Length, perTable.Count);
        Assert.All(perTable, r => Assert.Equal((long)(PerTable + LatencyProbes), (long)r[2]!));
        Assert.Equal(0, duplicated);
        Assert.Equal(expected.Order(StringComparer.Ordinal), tablesAfter.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("fail:", worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("[402]", worker.Output, StringComparison.Ordinal);

        // Within 100 ms of the commit: the best of five single jobs per table, so the load of other suites on a shared
        // machine cannot fail it while a table whose jobs waited for anything but their notification (a poll an hour
        // away) still would. The medians go to the summary line.
        Assert.All(latencies, l => Assert.True(l.Value.Min() < 100, $"{l.Key}: no job started within 100 ms of its commit (ms: {string.Join(", ", l.Value.Select(v => v.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))})"));
    }

    private static async Task<ChannelListener> ListenAsync(ReliabilityDatabase database, IEnumerable<string> channels)
    {
        var connection = await database.OpenAsync();
        foreach (var channel in channels)
        {
            await using var listen = new NpgsqlCommand("LISTEN " + Quote(channel), connection);
            await listen.ExecuteNonQueryAsync();
        }

        return new ChannelListener(connection);
    }

    /// <summary>A LISTEN connection that records the channel of each notification, in order.</summary>
    private sealed class ChannelListener : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly List<string> _channels = [];

        public ChannelListener(NpgsqlConnection connection)
        {
            _connection = connection;
            _connection.Notification += (_, e) =>
            {
                lock (_channels)
                {
                    _channels.Add(e.Channel);
                }
            };
        }

        public int Count
        {
            get
            {
                lock (_channels)
                {
                    return _channels.Count;
                }
            }
        }

        public string? Last
        {
            get
            {
                lock (_channels)
                {
                    return _channels.Count == 0 ? null : _channels[^1];
                }
            }
        }

        public async Task WaitForAsync(int count, TimeSpan within)
        {
            var deadline = DateTime.UtcNow + within;
            while (Count < count)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"Waited {within} for notification {count}.");
                }

                await _connection.WaitAsync(TimeSpan.FromMilliseconds(200));
            }
        }

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }
}
