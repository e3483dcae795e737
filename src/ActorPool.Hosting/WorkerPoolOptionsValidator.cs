using Microsoft.Extensions.Options;

namespace ActorPool.Hosting;

/// <summary>Runs <see cref="WorkerPoolOptions.Validate"/> and reports the failure under the configuration key a user would fix.</summary>
internal sealed class WorkerPoolOptionsValidator(string poolName) : IValidateOptions<WorkerPoolOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerPoolOptions options)
    {
        if (name != poolName)
        {
            return ValidateOptionsResult.Skip;
        }

        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            var detail = ex.Message.Split(" (Parameter", 2)[0].Split(Environment.NewLine, 2)[0];
            return ValidateOptionsResult.Fail($"{ActorPoolKeys.SectionFor(poolName)}:{KeyOf(ex.ParamName)} is invalid: {detail}");
        }
    }

    private static string KeyOf(string? property) => property switch
    {
        nameof(CircuitBreakerOptions.MaxFailures) or nameof(CircuitBreakerOptions.ResetTimeout) => $"{nameof(WorkerPoolOptions.CircuitBreaker)}:{property}",
        nameof(ResizerOptions.LowerBound) or nameof(ResizerOptions.UpperBound) or nameof(ResizerOptions.Interval) => $"{nameof(WorkerPoolOptions.Resizer)}:{property}",
        _ => property ?? "(unknown)",
    };
}
