using System.Globalization;

namespace EfJobs.Benchmarks;

/// <summary>The command line: <c>[scenario...] [--jobs N] [--concurrency C] [--smoke] [--out DIR] ...</c>.</summary>
public sealed class BenchSettings
{
    public static readonly string[] AllScenarios = ["drain", "ihp-mode", "enqueue", "latency", "bloat", "prune", "idle", "multi-process", "sweep"];

    public List<string> Scenarios { get; } = [];

    public bool Smoke { get; private set; }

    /// <summary>Jobs per drain (default 100,000; smoke 2,000).</summary>
    public int Jobs { get; private set; }

    public int Concurrency { get; private set; } = 16;

    /// <summary>Jobs per enqueue variant (default 10,000; smoke 1,000).</summary>
    public int EnqueueJobs { get; private set; }

    /// <summary>Jobs committed one at a time in the latency scenario (default 1,000; smoke 100).</summary>
    public int LatencyJobs { get; private set; }

    public TimeSpan IdleDuration { get; private set; }

    /// <summary>Succeeded and future rows put in the table before the bloat scenario's second drain.</summary>
    public int BloatSucceededRows { get; private set; }

    public int BloatFutureRows { get; private set; }

    public int Processes { get; private set; } = 4;

    /// <summary>Concurrency levels of the sweep (the chart) and the jobs drained at each.</summary>
    public int[] SweepConcurrency { get; private set; } = [1, 4, 16, 64];

    public int SweepJobs { get; private set; }

    /// <summary>Npgsql's Max Auto Prepare for every connection of the run (EfJobs and baselines alike); 0 = off.</summary>
    public int MaxAutoPrepare { get; private set; }

    /// <summary>How the bench registers its DbContext: pool (AddDbContextPool, the README's advice), factory (AddPooledDbContextFactory) or scoped (AddDbContext).</summary>
    public string ContextRegistration { get; private set; } = "pool";

    /// <summary>
    /// JobOptions.PrefetchCount of the tuned EfJobs drain (not of IHP mode, which is IHP's loop as it is); null runs the
    /// defaults only (automatic prefetch).
    /// </summary>
    public int? Prefetch { get; private set; }

    /// <summary>Where results.md, the chart and the raw rows go; null prints only.</summary>
    public string? OutputDirectory { get; private set; }

    public bool Warmup { get; private set; } = true;

    public static BenchSettings Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = new BenchSettings();
        int? jobs = null, enqueue = null, latency = null, sweepJobs = null, idleSeconds = null, bloat = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (arg)
            {
                case "--smoke": settings.Smoke = true; break;
                case "--jobs": jobs = NextInt(); break;
                case "--concurrency": settings.Concurrency = NextInt(); break;
                case "--enqueue-jobs": enqueue = NextInt(); break;
                case "--latency-jobs": latency = NextInt(); break;
                case "--idle-seconds": idleSeconds = NextInt(); break;
                case "--bloat-rows": bloat = NextInt(); break;
                case "--processes": settings.Processes = NextInt(); break;
                case "--sweep": settings.SweepConcurrency = [.. Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))]; break;
                case "--sweep-jobs": sweepJobs = NextInt(); break;
                case "--max-auto-prepare": settings.MaxAutoPrepare = NextInt(); break;
                case "--context": settings.ContextRegistration = Next() is "pool" or "factory" or "scoped" ? args[i] : throw new ArgumentException("--context is pool, factory or scoped"); break;
                case "--prefetch": settings.Prefetch = Next() is "auto" ? null : int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture); break;
                case "--out": settings.OutputDirectory = Next(); break;
                case "--no-warmup": settings.Warmup = false; break;
                case "all": settings.Scenarios.AddRange(AllScenarios); break;
                case var name when AllScenarios.Contains(name): settings.Scenarios.Add(name); break;
                default: throw new ArgumentException($"unknown argument {arg}; scenarios: {string.Join(", ", AllScenarios)}, all");
            }
        }

        if (settings.Scenarios.Count == 0)
        {
            settings.Scenarios.AddRange(AllScenarios);
        }

        var smoke = settings.Smoke;
        settings.Jobs = jobs ?? (smoke ? 2_000 : 100_000);
        settings.EnqueueJobs = enqueue ?? (smoke ? 1_000 : 10_000);
        settings.LatencyJobs = latency ?? (smoke ? 100 : 1_000);
        settings.IdleDuration = TimeSpan.FromSeconds(idleSeconds ?? (smoke ? 5 : 60));
        settings.BloatSucceededRows = bloat ?? (smoke ? 20_000 : 1_000_000);
        settings.BloatFutureRows = settings.BloatSucceededRows / 10;
        settings.SweepJobs = sweepJobs ?? (smoke ? 500 : 10_000);
        if (smoke)
        {
            settings.SweepConcurrency = [1, 16];
            settings.Warmup = false;
        }

        return settings;
    }
}
