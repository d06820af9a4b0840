using EfJobs;

namespace EfJobs.Tests.Infrastructure;

/// <summary>A job with a payload the tests steer.</summary>
public class TestJob : JobBase
{
    public string Payload { get; set; } = "";
}

/// <summary>A second job type, to show types do not see each other's rows.</summary>
public class OtherJob : JobBase
{
    public int Number { get; set; }
}

/// <summary>Mapped to a table whose name needs quoting.</summary>
public class QuotedNameJob : JobBase
{
    public string Payload { get; set; } = "";
}

/// <summary>Mapped to a table whose name is longer than PostgreSQL's 63 bytes.</summary>
public class LongNameJob : JobBase
{
    public string Payload { get; set; } = "";
}
