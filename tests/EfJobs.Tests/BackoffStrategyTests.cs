namespace EfJobs.Tests;

public class BackoffStrategyTests
{
    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 30)]
    [InlineData(10, 30)]
    [InlineData(1000, 30)]
    public void Linear_backoff_is_constant(int attempts, int expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), BackoffStrategy.Linear(TimeSpan.FromSeconds(30)).Delay(attempts));

    [Theory]
    [InlineData(0, 30)]
    [InlineData(1, 60)]
    [InlineData(2, 120)]
    [InlineData(5, 960)]
    [InlineData(11, 61440)]
    [InlineData(12, 86400)] // 30 * 4096 = 122,880 s: capped at 24 h
    [InlineData(20, 86400)]
    [InlineData(int.MaxValue, 86400)]
    public void Exponential_backoff_doubles_and_caps_at_a_day(int attempts, int expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), BackoffStrategy.Exponential(TimeSpan.FromSeconds(30)).Delay(attempts));

    [Fact]
    public void Exponent_stops_at_20_like_IHP()
    {
        var backoff = BackoffStrategy.Exponential(TimeSpan.FromMilliseconds(10));
        Assert.Equal(TimeSpan.FromMilliseconds(10 * Math.Pow(2, 20)), backoff.Delay(20));
        Assert.Equal(backoff.Delay(20), backoff.Delay(25));
    }

    [Fact]
    public void Non_positive_delays_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BackoffStrategy.Linear(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => BackoffStrategy.Exponential(TimeSpan.FromSeconds(-1)));
    }
}
