using Microsoft.Extensions.Options;

namespace EfJobs.DependencyInjection;

/// <summary>Validates one job type's <see cref="JobOptions"/> when the host starts, with a message naming the type and the setting.</summary>
internal sealed class JobOptionsValidator(string optionsName, string jobTypeName) : IValidateOptions<JobOptions>
{
    public ValidateOptionsResult Validate(string? name, JobOptions options) =>
        name != optionsName ? ValidateOptionsResult.Skip
        : options.Validate() is { } problem ? ValidateOptionsResult.Fail($"EfJobs: JobOptions of {jobTypeName}: {problem}")
        : ValidateOptionsResult.Success;
}
