using System.Globalization;
using Grpc.Core;
using MlServing.Inference.Errors;

namespace MlServing.Api.Grpc;

/// <summary>
/// The one table from an error kind to its gRPC status code (docs/GRPC_AND_BINARY.md), the gRPC counterpart of
/// <see cref="Errors.HttpErrorMap"/>. Bad input is always INVALID_ARGUMENT, never UNKNOWN.
/// </summary>
public static class GrpcErrorMap
{
    /// <summary>The trailer a gRPC client's retry policy reads as the server's requested back-off (milliseconds).</summary>
    public const string RetryPushbackTrailer = "grpc-retry-pushback-ms";

    public static StatusCode StatusOf(InferenceErrorKind kind) => kind switch
    {
        InferenceErrorKind.InvalidInput or InferenceErrorKind.TooLarge or InferenceErrorKind.UnsupportedFormat => StatusCode.InvalidArgument,
        InferenceErrorKind.NotFound => StatusCode.NotFound,
        InferenceErrorKind.Unavailable => StatusCode.Unavailable,
        InferenceErrorKind.QueueFull or InferenceErrorKind.RateLimited => StatusCode.ResourceExhausted,
        InferenceErrorKind.DeadlineExceeded => StatusCode.DeadlineExceeded,
        InferenceErrorKind.Cancelled => StatusCode.Cancelled,
        InferenceErrorKind.Unauthenticated => StatusCode.Unauthenticated,
        InferenceErrorKind.Forbidden => StatusCode.PermissionDenied,
        _ => StatusCode.Internal,
    };

    /// <summary>
    /// Ends a gRPC request that never reached its method with <paramref name="error"/>'s status: HTTP 200, the
    /// <c>grpc-status</c> and percent-encoded <c>grpc-message</c> as headers, no body.
    /// </summary>
    public static void WriteTrailersOnly(HttpResponse response, InferenceError error)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)StatusOf(error.Kind)).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(error.Message);
        if (error.RetryAfterSeconds is { } seconds)
        {
            response.Headers[RetryPushbackTrailer] = (seconds * 1000L).ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The exception that ends a call with <paramref name="error"/>'s status; a retry hint becomes the pushback trailer.</summary>
    public static RpcException ToException(InferenceError error)
    {
        var trailers = new Metadata();
        if (error.RetryAfterSeconds is { } seconds)
        {
            trailers.Add(RetryPushbackTrailer, (seconds * 1000L).ToString(CultureInfo.InvariantCulture));
        }

        return new RpcException(new Status(StatusOf(error.Kind), error.Message), trailers);
    }
}
