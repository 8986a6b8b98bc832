using MlServing.Inference.Pipeline;

namespace MlServing.Api.Errors;

/// <summary>The one place where a pipeline's typed failure becomes an HTTP error (DESIGN §3.3).</summary>
internal static class InferenceErrors
{
    public static ApiError ToApiError(InferenceResult result, int queueFullStatus) => result.Status switch
    {
        InferenceStatus.InvalidInput => ApiError.Invalid("inputs", result.Error!),
        InferenceStatus.QueueFull => ApiError.Overloaded(queueFullStatus, result.Error!, retryAfterSeconds: 1),
        InferenceStatus.DeadlineExceeded => ApiError.Timeout(result.Error!),
        InferenceStatus.Cancelled => ApiError.ClientClosed(),
        _ => ApiError.Unavailable(result.Error!),
    };
}
