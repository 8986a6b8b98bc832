using Microsoft.Extensions.Logging;

namespace MlServing.Inference.Runtime;

internal static partial class RuntimeLog
{
    [LoggerMessage(EventId = 1001, EventName = "CudaFallback", Level = LogLevel.Warning,
        Message = "Model {Model} version {Version} asked for CUDA device {DeviceId}, which is not available; running on CPU instead. Reason: {Reason}")]
    public static partial void CudaFallback(ILogger logger, string model, long version, int deviceId, string reason);

    [LoggerMessage(EventId = 1002, EventName = "SyntheticWarmupFailed", Level = LogLevel.Warning,
        Message = "Model {Model} version {Version} rejected the synthetic warm-up input (zeros); it still serves. Add warmup inputs to config.json to warm it properly. Reason: {Reason}")]
    public static partial void SyntheticWarmupFailed(ILogger logger, string model, long version, string reason);

    [LoggerMessage(EventId = 1003, EventName = "ModelVersionLoaded", Level = LogLevel.Information,
        Message = "Loaded model {Model} version {Version} on {Provider} in {ElapsedMs} ms (batchable: {Batchable}, inputs: {Inputs}, outputs: {Outputs})")]
    public static partial void ModelVersionLoaded(ILogger logger, string model, long version, string provider, long elapsedMs, bool batchable, string inputs, string outputs);
}
