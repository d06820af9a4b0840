namespace EfJobs.ReliabilityTests.Infrastructure;

/// <summary>Polls a condition until it holds or a generous deadline passes; the deadline is a hang guard, not a timing assert.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan within, string what, Func<string>? diagnostics = null, int pollMs = 50)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {within} for {what}." + (diagnostics is null ? "" : "\n" + diagnostics()));
            }

            await Task.Delay(pollMs);
        }
    }
}
