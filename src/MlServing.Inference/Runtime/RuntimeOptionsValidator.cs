using Microsoft.Extensions.Options;

namespace MlServing.Inference.Runtime;

internal sealed class RuntimeOptionsValidator : IValidateOptions<RuntimeOptions>
{
    public ValidateOptionsResult Validate(string? name, RuntimeOptions options)
    {
        var errors = new List<string>();
        if (!ExecutionProviderSelector.IsKnown(options.ExecutionProvider))
        {
            errors.Add($"{RuntimeOptions.SectionName}:ExecutionProvider must be \"cpu\" or \"cuda\" (got \"{options.ExecutionProvider}\").");
        }

        if (options.DeviceId < 0)
        {
            errors.Add($"{RuntimeOptions.SectionName}:DeviceId must be >= 0.");
        }

        if (options.IntraOpThreads < 0 || options.InterOpThreads < 0)
        {
            errors.Add($"{RuntimeOptions.SectionName}:IntraOpThreads and InterOpThreads must be >= 0.");
        }

        if (!Enum.IsDefined(options.GraphOptimizationLevel))
        {
            errors.Add($"{RuntimeOptions.SectionName}:GraphOptimizationLevel is not a known level.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
