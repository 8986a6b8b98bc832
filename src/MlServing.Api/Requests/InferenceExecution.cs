using MlServing.Api.Errors;
using MlServing.Inference.Pipeline;
using MlServing.Inference.Repository;

namespace MlServing.Api.Requests;

/// <summary>The part both inference APIs share once inputs are decoded: deadline, cache bypass, the model's pipeline.</summary>
internal static class InferenceExecution
{
    /// <summary>
    /// Runs <paramref name="inference"/> (disposed here) and returns its result, which the response owns, or the
    /// error a failure maps to (DESIGN §3.3).
    /// </summary>
    public static async ValueTask<(InferenceResult? Result, ApiError? Error)> RunAsync(
        HttpContext context, ModelVersion model, InferenceRequest inference, long? timeoutMicroseconds, int queueFullStatus)
    {
        using (inference)
        {
            var error = RequestDeadline.Resolve(context, timeoutMicroseconds, out var deadline);
            if (error is not null)
            {
                return (null, error);
            }

            inference.DeadlineTimestamp = deadline;
            inference.BypassCache = CacheBypass.Requested(context.Request);
            var result = await model.Pipeline.InferAsync(inference, context.RequestAborted).ConfigureAwait(false);
            if (!result.IsSuccess)
            {
                result.Dispose();
                return (null, InferenceErrors.ToApiError(result, queueFullStatus));
            }

            context.Response.RegisterForDispose(result);
            return (result, null);
        }
    }
}
