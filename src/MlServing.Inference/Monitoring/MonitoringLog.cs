using Microsoft.Extensions.Logging;

namespace MlServing.Inference.Monitoring;

internal static partial class MonitoringLog
{
    [LoggerMessage(EventId = 1401, EventName = "ProfileLoaded", Level = LogLevel.Information,
        Message = "Model {Model} version {Version}: reference profile {Path} ({Features} feature(s), {Outputs} output(s)); drift is exported")]
    public static partial void ProfileLoaded(ILogger logger, string model, string version, string path, int features, int outputs);

    [LoggerMessage(EventId = 1402, EventName = "ProfileInvalid", Level = LogLevel.Error,
        Message = "Model {Model} version {Version}: reference profile {Path} cannot be used ({Reason}); the version serves without drift series")]
    public static partial void ProfileInvalid(ILogger logger, string model, string version, string path, string reason);

    [LoggerMessage(EventId = 1403, EventName = "CaptureFailed", Level = LogLevel.Error,
        Message = "Data capture to {Path} failed ({Reason}); records are dropped (mlserving_capture_dropped_total) until it works again")]
    public static partial void CaptureFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1404, EventName = "FeedbackStoreFailed", Level = LogLevel.Warning,
        Message = "Redis feedback store failed ({Reason}); predictions are not stored for feedback meanwhile. {Suppressed} more failures since the last message")]
    public static partial void FeedbackStoreFailed(ILogger logger, string reason, int suppressed);
}
