namespace EfJobs.Tests.Infrastructure;

/// <summary>Polls a condition until it holds or a generous deadline passes; the deadline is a hang guard, not a timing assert.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan within, string what)
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
                throw new TimeoutException($"Waited {within} for {what}.");
            }

            await Task.Delay(20);
        }
    }
}
