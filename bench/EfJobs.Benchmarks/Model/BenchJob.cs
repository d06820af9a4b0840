namespace EfJobs.Benchmarks.Model;

/// <summary>The benchmark's job: no payload, so every figure is the queue's own cost.</summary>
public class BenchJob : JobBase
{
}
