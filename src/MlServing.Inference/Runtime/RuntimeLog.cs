using Microsoft.Extensions.Logging;

namespace MlServing.Inference.Runtime;

internal static partial class RuntimeLog
{
    [LoggerMessage(EventId = 1001, EventName = "CudaFallback", Level = LogLevel.Warning,
        Message = "Model {Model} version {Version} asked for CUDA device {DeviceId}, which is not available; running on CPU instead. Reason: {Reason}")]
    public static partial void CudaFallback(ILogger logger, string model, long version, int deviceId, string reason);
}
