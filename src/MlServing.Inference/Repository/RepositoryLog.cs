using Microsoft.Extensions.Logging;

namespace MlServing.Inference.Repository;

internal static partial class RepositoryLog
{
    [LoggerMessage(EventId = 1101, EventName = "RepositoryMissing", Level = LogLevel.Error,
        Message = "Model repository {Path} does not exist; no model will be served (set MlServing:ModelRepository:Path)")]
    public static partial void RepositoryMissing(ILogger logger, string path);

    [LoggerMessage(EventId = 1102, EventName = "RepositoryScanned", Level = LogLevel.Information,
        Message = "Model repository {Path}: {Count} model folder(s)")]
    public static partial void RepositoryScanned(ILogger logger, string path, int count);

    [LoggerMessage(EventId = 1103, EventName = "ModelLoadFailed", Level = LogLevel.Error,
        Message = "Model {Model} cannot be served: {Reason}")]
    public static partial void ModelLoadFailed(ILogger logger, string model, string reason);

    [LoggerMessage(EventId = 1104, EventName = "VersionLoadFailed", Level = LogLevel.Error,
        Message = "Model {Model} version {Version} failed to load: {Reason}")]
    public static partial void VersionLoadFailed(ILogger logger, string model, long version, string reason);

    [LoggerMessage(EventId = 1105, EventName = "ReloadFailedKeptPrevious", Level = LogLevel.Error,
        Message = "Reloading model {Model} failed ({Reason}); the versions already loaded keep serving")]
    public static partial void ReloadFailedKeptPrevious(ILogger logger, string model, string reason);

    [LoggerMessage(EventId = 1106, EventName = "ModelUnloaded", Level = LogLevel.Information,
        Message = "Model {Model} unloaded")]
    public static partial void ModelUnloaded(ILogger logger, string model);

    [LoggerMessage(EventId = 1002, EventName = "SyntheticWarmupFailed", Level = LogLevel.Warning,
        Message = "Model {Model} version {Version} rejected the synthetic warm-up input (zeros); it still serves. Add warmup inputs to config.json to warm it properly. Reason: {Reason}")]
    public static partial void SyntheticWarmupFailed(ILogger logger, string model, long version, string reason);

    [LoggerMessage(EventId = 1003, EventName = "ModelVersionLoaded", Level = LogLevel.Information,
        Message = "Loaded model {Model} version {Version} on {Provider} in {ElapsedMs} ms (batchable: {Batchable}, inputs: {Inputs}, outputs: {Outputs})")]
    public static partial void ModelVersionLoaded(ILogger logger, string model, long version, string provider, long elapsedMs, bool batchable, string inputs, string outputs);

    [LoggerMessage(EventId = 1107, EventName = "PollApplying", Level = LogLevel.Information,
        Message = "Model {Model} changed on disk and has been stable for a poll interval; applying it")]
    public static partial void PollApplying(ILogger logger, string model);

    [LoggerMessage(EventId = 1108, EventName = "PollRemoving", Level = LogLevel.Information,
        Message = "Model {Model} is no longer in the repository folder; unloading it")]
    public static partial void PollRemoving(ILogger logger, string model);

    [LoggerMessage(EventId = 1109, EventName = "PollFailed", Level = LogLevel.Warning,
        Message = "Scanning the model repository {Path} failed; the next scan tries again")]
    public static partial void PollFailed(ILogger logger, string path, Exception exception);
}
