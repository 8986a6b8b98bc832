using Microsoft.Extensions.Options;

namespace MlServing.Inference.Monitoring;

internal sealed class MonitoringOptionsValidator : IValidateOptions<MonitoringOptions>
{
    public ValidateOptionsResult Validate(string? name, MonitoringOptions options)
    {
        const string Section = MonitoringOptions.SectionName;
        var errors = new List<string>();
        void Require(bool valid, string message)
        {
            if (!valid)
            {
                errors.Add(message);
            }
        }

        Require(options.WindowSeconds >= 1, $"{Section}:WindowSeconds must be >= 1.");
        Require(options.MinRows >= 1, $"{Section}:MinRows must be >= 1.");
        Require(options.MaxClasses is >= 1 and <= 10_000, $"{Section}:MaxClasses must be between 1 and 10000.");
        Require(options.FeedbackProvider is null or "" or "memory" or "redis" or "none", $"{Section}:FeedbackProvider must be memory, redis or none (got \"{options.FeedbackProvider}\").");
        Require(options.FeedbackTtlSeconds >= 1, $"{Section}:FeedbackTtlSeconds must be >= 1.");
        Require(options.FeedbackWindow >= 1, $"{Section}:FeedbackWindow must be >= 1.");
        Require(options.FeedbackMaxEntries >= 1, $"{Section}:FeedbackMaxEntries must be >= 1.");
        Require(options.AccuracyFloor is null or (>= 0 and <= 1), $"{Section}:AccuracyFloor must be between 0 and 1.");
        var capture = options.Capture;
        Require(capture.SampleRate is >= 0 and <= 1, $"{Section}:Capture:SampleRate must be between 0 and 1.");
        Require(!string.IsNullOrWhiteSpace(capture.Path), $"{Section}:Capture:Path must be a file path or - (standard output).");
        Require(capture.MaxFileBytes >= 1024, $"{Section}:Capture:MaxFileBytes must be >= 1024.");
        Require(capture.MaxFiles >= 1, $"{Section}:Capture:MaxFiles must be >= 1.");
        Require(capture.QueueSize >= 1, $"{Section}:Capture:QueueSize must be >= 1.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
