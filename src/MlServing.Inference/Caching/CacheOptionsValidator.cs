using Microsoft.Extensions.Options;

namespace MlServing.Inference.Caching;

internal sealed class CacheOptionsValidator : IValidateOptions<CacheOptions>
{
    public ValidateOptionsResult Validate(string? name, CacheOptions options)
    {
        var errors = new List<string>();
        if (options.Provider is not (null or "" or "memory" or "redis" or "none"))
        {
            errors.Add($"{CacheOptions.SectionName}:Provider must be memory, redis or none (got \"{options.Provider}\").");
        }

        if (options.TtlSeconds < 1 || options.MaxEntries < 1 || options.MaxBytes < 1024 || options.TimeoutMilliseconds < 1
            || options.FailuresBeforeOpen < 1 || options.OpenSeconds < 1 || options.ErrorLogIntervalSeconds < 1)
        {
            errors.Add($"{CacheOptions.SectionName}: TtlSeconds, MaxEntries, TimeoutMilliseconds, FailuresBeforeOpen, OpenSeconds and ErrorLogIntervalSeconds must be >= 1, MaxBytes >= 1024.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
