using System.Globalization;
using MlServing.Inference.Errors;

namespace MlServing.Api.Requests;

/// <summary>
/// A request's queue timeout: header <c>X-Request-Timeout-Ms</c> (both APIs) and OIP <c>parameters.timeout</c>
/// (microseconds, Triton's convention); the shorter wins. Expiry while queued answers 504.
/// </summary>
internal static class RequestDeadline
{
    public const string HeaderName = "X-Request-Timeout-Ms";

    private const long MaxMicroseconds = 86_400_000_000;

    /// <summary>Sets <paramref name="timeout"/> (null = none), or returns the 400 for a bad header.</summary>
    public static InferenceError? Resolve(HttpRequest request, long? timeoutMicroseconds, out TimeSpan? timeout)
    {
        timeout = null;
        if (request.Headers.TryGetValue(HeaderName, out var header))
        {
            if (header.Count != 1 || !long.TryParse(header[0], NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds) || milliseconds <= 0 || milliseconds > int.MaxValue)
            {
                return InferenceError.Invalid(HeaderName, $"{HeaderName} must be a positive number of milliseconds");
            }

            timeout = TimeSpan.FromMilliseconds(milliseconds);
        }

        if (timeoutMicroseconds is > 0 and var micros)
        {
            // Past a day a timeout means "none": clamp so that absurd values cannot overflow.
            var fromParameter = TimeSpan.FromMicroseconds(Math.Min(micros, MaxMicroseconds));
            timeout = timeout is { } fromHeader && fromHeader < fromParameter ? fromHeader : fromParameter;
        }

        return null;
    }
}
