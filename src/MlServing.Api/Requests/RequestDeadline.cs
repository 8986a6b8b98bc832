using System.Diagnostics;
using System.Globalization;
using MlServing.Api.Errors;

namespace MlServing.Api.Requests;

/// <summary>
/// A request's queue deadline: header <c>X-Request-Timeout-Ms</c> (both APIs) and OIP <c>parameters.timeout</c>
/// (microseconds, Triton's convention); the earlier wins. Expiry while queued answers 504.
/// </summary>
internal static class RequestDeadline
{
    public const string HeaderName = "X-Request-Timeout-Ms";

    /// <summary>Sets <paramref name="deadline"/> to a Stopwatch timestamp (0 = none), or returns the 400 for a bad header.</summary>
    public static ApiError? Resolve(HttpContext context, long? timeoutMicroseconds, out long deadline)
    {
        deadline = 0;
        var now = Stopwatch.GetTimestamp();
        if (context.Request.Headers.TryGetValue(HeaderName, out var header))
        {
            if (header.Count != 1 || !long.TryParse(header[0], NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds) || milliseconds <= 0 || milliseconds > int.MaxValue)
            {
                return ApiError.Invalid(HeaderName, $"{HeaderName} must be a positive number of milliseconds");
            }

            deadline = now + (milliseconds * Stopwatch.Frequency / 1000);
        }

        if (timeoutMicroseconds is > 0 and var micros)
        {
            var fromParameter = now + (long)(micros * (Stopwatch.Frequency / 1_000_000.0));
            deadline = deadline == 0 ? fromParameter : Math.Min(deadline, fromParameter);
        }

        return null;
    }
}
