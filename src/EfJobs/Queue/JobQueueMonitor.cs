using System.Diagnostics.Metrics;
using System.Runtime.ExceptionServices;
using EfJobs.Diagnostics;
using EfJobs.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace EfJobs.Queue;

/// <summary>
/// Samples every registered job table with one statement per type (<see cref="JobMetricsSql.Sample"/>) at most once
/// per <see cref="EfJobsOptions.QueueSampleInterval"/>, and shares the result between the queue gauges and the queue
/// health checks: however many scrapes and probes come, the database sees one query per type per interval.
/// </summary>
/// <remarks>
/// Nothing samples on its own: a health check waits for a fresh sample when the last one is too old; a gauge reports
/// the last one and starts a new one in the background when it is too old (gauge callbacks cannot wait), so a gauge
/// lags by at most one interval and reports nothing before the first sample. A failed sample is kept for the interval
/// too: the health checks report its error, the gauges report nothing, and a database that is away is not asked
/// again on every probe.
/// </remarks>
internal sealed class JobQueueMonitor : IDisposable
{
    private readonly IJobDatabase _database;
    private readonly IReadOnlyList<(Type JobType, TimeSpan? StaleJobTimeout)> _types;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly Meter? _ownMeter;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Result? _latest;
    private int _backgroundRefresh;
    private volatile bool _disposed;
    private Dictionary<string, KeyValuePair<string, object?>[]> _tags = new(StringComparer.Ordinal);

    /// <param name="database">Leases a context for the sample.</param>
    /// <param name="types">The registered job types and their <see cref="JobOptions.StaleJobTimeout"/>.</param>
    /// <param name="time">The clock that decides when a sample is too old.</param>
    /// <param name="interval">How old a sample may be.</param>
    /// <param name="logger">Where a failed background sample is logged.</param>
    /// <param name="meterFactory">The host's meter factory, so each host reports its own gauges; null: a meter of its own.</param>
    public JobQueueMonitor(
        IJobDatabase database,
        IReadOnlyList<(Type JobType, TimeSpan? StaleJobTimeout)> types,
        TimeProvider time,
        TimeSpan interval,
        ILogger logger,
        IMeterFactory? meterFactory)
    {
        _database = database;
        _types = types;
        _time = time;
        _interval = interval;
        _logger = logger;
        Meter meter;
        if (meterFactory is null)
        {
            meter = _ownMeter = EfJobsTelemetry.CreateMeter(null);
        }
        else
        {
            meter = EfJobsTelemetry.CreateMeter(meterFactory);
        }

        meter.CreateObservableGauge(
            EfJobsTelemetry.QueueDepthName,
            () => Measure(s => s.Due),
            unit: "{job}",
            description: "Jobs that are due and wait for a worker, by job table (sampled at most once per QueueSampleInterval).");
        meter.CreateObservableGauge(
            EfJobsTelemetry.OldestDueAgeName,
            () => Measure(s => s.OldestDueAge?.TotalSeconds ?? 0d),
            unit: "s",
            description: "How long the oldest due job has waited for a worker (from the later of run_at and created_at; 0 when none waits), by job table.");
        meter.CreateObservableGauge(
            EfJobsTelemetry.StaleJobsName,
            () => Measure(s => s.Stale),
            unit: "{job}",
            description: "Running jobs whose lock is older than the type's StaleJobTimeout (waiting for the stale-job rescuer), by job table.");
    }

    /// <summary>The last sample, or null before the first one succeeded.</summary>
    public JobQueueSnapshot? Latest => _latest?.Snapshot;

    /// <summary>A sample no older than the interval: the last one, or a new one when it is older.</summary>
    /// <exception cref="Exception">The sample failed (within the last interval): the database's error.</exception>
    public async Task<JobQueueSnapshot> GetAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } cached)
        {
            return cached.Unwrap();
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh() is { } other)
            {
                return other.Unwrap();
            }

            var result = await SampleAsync(cancellationToken).ConfigureAwait(false);
            _latest = result;
            return result.Unwrap();
        }
        finally
        {
            _gate.Release();
        }
    }

    // The gate is not disposed: a sample may still be in flight, and a SemaphoreSlim without a wait handle holds nothing.
    public void Dispose()
    {
        _disposed = true;
        _ownMeter?.Dispose();
    }

    private Result? Fresh() => _latest is { } latest && _time.GetUtcNow() - latest.TakenAt < _interval ? latest : null;

    private async Task<Result> SampleAsync(CancellationToken cancellationToken)
    {
        var takenAt = _time.GetUtcNow();
        try
        {
            var samples = await _database.RunAsync(
                async (db, ct) =>
                {
                    var connection = (NpgsqlConnection)db.Database.GetDbConnection();
                    var list = new List<JobQueueSample>(_types.Count);
                    foreach (var (jobType, stale) in _types)
                    {
                        var table = JobTables.Get(db, jobType);
                        await using var command = new NpgsqlCommand(JobMetricsSql.Sample(table), connection);
                        command.Parameters.Add(new NpgsqlParameter("stale", NpgsqlDbType.Interval) { Value = stale is { } s ? s : DBNull.Value });
                        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                        await reader.ReadAsync(ct).ConfigureAwait(false);
                        list.Add(new JobQueueSample(
                            table,
                            stale,
                            reader.GetInt64(0),
                            reader.IsDBNull(1) ? null : Age(reader.GetDouble(1)),
                            reader.GetInt64(2),
                            reader.IsDBNull(3) ? null : Age(reader.GetDouble(3))));
                    }

                    return list;
                },
                cancellationToken).ConfigureAwait(false);
            _tags = samples.ToDictionary(s => s.Table.QualifiedName, s => _tags.GetValueOrDefault(s.Table.QualifiedName) ?? EfJobsTelemetry.TableTags(s.Table.DisplayName), StringComparer.Ordinal);
            return new Result(takenAt, new JobQueueSnapshot(takenAt, samples), null);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            return new Result(takenAt, _latest?.Snapshot, ExceptionDispatchInfo.Capture(exception));
        }
    }

    // Clock skew between statements cannot make an age negative.
    private static TimeSpan Age(double seconds) => TimeSpan.FromSeconds(Math.Max(0d, seconds));

    private IEnumerable<Measurement<T>> Measure<T>(Func<JobQueueSample, T> value)
        where T : struct
    {
        if (_disposed)
        {
            return [];
        }

        if (Fresh() is null && Interlocked.CompareExchange(ref _backgroundRefresh, 1, 0) == 0)
        {
            _ = Task.Run(RefreshAsync);
        }

        if (_latest is not { Error: null, Snapshot: { } snapshot })
        {
            return [];
        }

        var tags = _tags;
        return snapshot.Tables.Select(s => new Measurement<T>(value(s), tags[s.Table.QualifiedName]));
    }

    private async Task RefreshAsync()
    {
        try
        {
            await GetAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (!_disposed)
        {
            Log.QueueSampleFailed(_logger, exception, _interval);
        }
        catch (Exception)
        {
            // The host is gone (its services are disposed): nobody reads the gauges any more.
        }
        finally
        {
            Volatile.Write(ref _backgroundRefresh, 0);
        }
    }

    private sealed record Result(DateTimeOffset TakenAt, JobQueueSnapshot? Snapshot, ExceptionDispatchInfo? Error)
    {
        public JobQueueSnapshot Unwrap()
        {
            Error?.Throw();
            return Snapshot!;
        }
    }
}
