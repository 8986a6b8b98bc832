using Microsoft.Extensions.Options;
using MlServing.Api.Hosting;
using MlServing.Inference.Errors;

namespace MlServing.Api.Errors;

/// <summary>The one table from an error kind to its HTTP status and title (docs/API.md, status codes), for both JSON APIs.</summary>
public sealed class HttpErrorMap
{
    /// <summary>nginx's "client closed request": nobody reads the answer, but the log and metrics see it.</summary>
    public const int ClientClosedRequest = 499;

    private readonly int _queueFullStatus;

    public HttpErrorMap(IOptions<ServingOptions> serving) => _queueFullStatus = serving.Value.QueueFullStatusCode;

    public int StatusOf(InferenceErrorKind kind) => kind switch
    {
        InferenceErrorKind.InvalidInput => StatusCodes.Status400BadRequest,
        InferenceErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        InferenceErrorKind.UnsupportedFormat => StatusCodes.Status415UnsupportedMediaType,
        InferenceErrorKind.NotFound => StatusCodes.Status404NotFound,
        InferenceErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        InferenceErrorKind.QueueFull => _queueFullStatus,
        InferenceErrorKind.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        InferenceErrorKind.Cancelled => ClientClosedRequest,
        InferenceErrorKind.Unauthenticated => StatusCodes.Status401Unauthorized,
        InferenceErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        InferenceErrorKind.RateLimited => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static string TitleOf(InferenceErrorKind kind) => kind switch
    {
        InferenceErrorKind.InvalidInput => "One or more inputs are invalid.",
        InferenceErrorKind.TooLarge => "The request is too large.",
        InferenceErrorKind.UnsupportedFormat => "Unsupported media type.",
        InferenceErrorKind.NotFound => "Not found.",
        InferenceErrorKind.Unavailable => "Service unavailable.",
        InferenceErrorKind.QueueFull => "Too many requests.",
        InferenceErrorKind.DeadlineExceeded => "Deadline exceeded.",
        InferenceErrorKind.Cancelled => "Client closed request.",
        InferenceErrorKind.Unauthenticated => "Unauthorized.",
        InferenceErrorKind.Forbidden => "Forbidden.",
        InferenceErrorKind.RateLimited => "Too many requests.",
        _ => "Internal server error.",
    };
}
