using MlServing.Inference.Observability;

namespace MlServing.Api.Errors;

/// <summary>
/// An expected failure of a request, mapped once to a status code and written in the protocol's own error
/// format (RFC 7807 for /predict, <c>{"error": "..."}</c> for the Open Inference Protocol).
/// </summary>
public sealed class ApiError
{
    private ApiError(int status, string title, string detail, RequestOutcome outcome, IDictionary<string, string[]>? errors)
    {
        Status = status;
        Title = title;
        Detail = detail;
        Outcome = outcome;
        Errors = errors;
    }

    public int Status { get; }

    public string Title { get; }

    public string Detail { get; }

    public RequestOutcome Outcome { get; }

    /// <summary>Messages keyed by field path, e.g. <c>instances[3]</c> or <c>inputs[0].shape</c>.</summary>
    public IDictionary<string, string[]>? Errors { get; }

    /// <summary>Seconds for the Retry-After header (429/503).</summary>
    public int? RetryAfterSeconds { get; init; }

    public static ApiError Invalid(IDictionary<string, string[]> errors) =>
        new(StatusCodes.Status400BadRequest, "One or more inputs are invalid.", Summarise(errors), RequestOutcome.Invalid, errors);

    public static ApiError Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static ApiError TooLarge(string field, string message) =>
        new(StatusCodes.Status413PayloadTooLarge, "The request is too large.", $"{field}: {message}", RequestOutcome.Invalid, new Dictionary<string, string[]> { [field] = [message] });

    public static ApiError UnsupportedMediaType(string message) =>
        new(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type.", message, RequestOutcome.Invalid, null);

    public static ApiError NotFound(string message) =>
        new(StatusCodes.Status404NotFound, "Not found.", message, RequestOutcome.NotFound, null);

    public static ApiError Unavailable(string message, int retryAfterSeconds = 1) =>
        new(StatusCodes.Status503ServiceUnavailable, "Service unavailable.", message, RequestOutcome.Rejected, null) { RetryAfterSeconds = retryAfterSeconds };

    public static ApiError Overloaded(int status, string message, int retryAfterSeconds) =>
        new(status, "Too many requests.", message, RequestOutcome.Rejected, null) { RetryAfterSeconds = retryAfterSeconds };

    public static ApiError Timeout(string message) =>
        new(StatusCodes.Status504GatewayTimeout, "Deadline exceeded.", message, RequestOutcome.Timeout, null);

    /// <summary>The client closed the connection; nobody reads the body (nginx's 499).</summary>
    public static ApiError ClientClosed() =>
        new(499, "Client closed request.", "the request was cancelled by the client", RequestOutcome.Rejected, null);

    private static string Summarise(IDictionary<string, string[]> errors)
    {
        var parts = new List<string>(errors.Count);
        foreach (var (field, messages) in errors)
        {
            parts.Add(field + ": " + string.Join(" ", messages));
        }

        return string.Join("; ", parts);
    }
}
