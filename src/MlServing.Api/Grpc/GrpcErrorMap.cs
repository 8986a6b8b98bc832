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
