using Microsoft.Extensions.Logging;

namespace MlServing.Inference.Batching;

internal static partial class BatchingLog
{
    [LoggerMessage(EventId = 1201, EventName = "BatchFailed", Level = LogLevel.Error, Message = "A batch of {Rows} rows failed")]
    public static partial void BatchFailed(ILogger logger, int rows, Exception exception);
}
