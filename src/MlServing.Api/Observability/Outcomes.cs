using MlServing.Inference.Errors;

namespace MlServing.Api.Observability;

/// <summary>The one table from an error kind (or, when no error was recorded, a status code) to the outcome label.</summary>
internal static class Outcomes
{
    public static RequestOutcome Of(InferenceErrorKind kind) => kind switch
    {
        InferenceErrorKind.InvalidInput or InferenceErrorKind.TooLarge or InferenceErrorKind.UnsupportedFormat => RequestOutcome.Invalid,
        InferenceErrorKind.NotFound => RequestOutcome.NotFound,
        InferenceErrorKind.Unavailable or InferenceErrorKind.QueueFull or InferenceErrorKind.Cancelled => RequestOutcome.Rejected,
        InferenceErrorKind.DeadlineExceeded => RequestOutcome.Timeout,
        InferenceErrorKind.Unauthenticated => RequestOutcome.Unauthorized,
        InferenceErrorKind.Forbidden => RequestOutcome.Forbidden,
        InferenceErrorKind.RateLimited => RequestOutcome.RateLimited,
        _ => RequestOutcome.Error,
    };

    public static RequestOutcome OfStatus(int status) => status switch
    {
        < 400 => RequestOutcome.Success,
        401 => RequestOutcome.Unauthorized,
        403 => RequestOutcome.Forbidden,
        404 => RequestOutcome.NotFound,
        429 or 503 or 499 => RequestOutcome.Rejected,
        504 => RequestOutcome.Timeout,
        < 500 => RequestOutcome.Invalid,
        _ => RequestOutcome.Error,
    };
}
