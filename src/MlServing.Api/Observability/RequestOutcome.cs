namespace MlServing.Api.Observability;

/// <summary>Value of the <c>outcome</c> label of <c>mlserving_inference_requests_total</c>.</summary>
public enum RequestOutcome
{
    Success,
    Invalid,
    NotFound,
    Rejected,
    Timeout,
    Error,
    Unauthorized,
    Forbidden,
    RateLimited,
}
