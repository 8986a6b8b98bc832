using Microsoft.Extensions.Options;

namespace MlServing.Inference.Batching;

internal sealed class BatchingOptionsValidator : IValidateOptions<BatchingOptions>
{
    public ValidateOptionsResult Validate(string? name, BatchingOptions options)
    {
        var errors = new List<string>();
        if (options.MaxBatchSize < 1)
        {
            errors.Add($"{BatchingOptions.SectionName}:MaxBatchSize must be >= 1.");
        }

        if (options.MaxQueueDelayMicroseconds < 0)
        {
            errors.Add($"{BatchingOptions.SectionName}:MaxQueueDelayMicroseconds must be >= 0.");
        }

        if (options.MaxQueueSize < 1)
        {
            errors.Add($"{BatchingOptions.SectionName}:MaxQueueSize must be >= 1.");
        }

        if (options.Instances is < 1 or > 64)
        {
            errors.Add($"{BatchingOptions.SectionName}:Instances must be between 1 and 64.");
        }

        if (Array.Exists(options.PreferredBatchSizes, s => s < 1))
        {
            errors.Add($"{BatchingOptions.SectionName}:PreferredBatchSizes must be positive.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
