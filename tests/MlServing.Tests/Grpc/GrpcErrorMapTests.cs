using Grpc.Core;
using MlServing.Api.Grpc;
using MlServing.Inference.Errors;

namespace MlServing.Tests.Grpc;

/// <summary>Every error kind has its gRPC status code; none is UNKNOWN.</summary>
public sealed class GrpcErrorMapTests
{
    public static TheoryData<InferenceErrorKind, StatusCode> Codes => new()
    {
        { InferenceErrorKind.InvalidInput, StatusCode.InvalidArgument },
        { InferenceErrorKind.TooLarge, StatusCode.InvalidArgument },
        { InferenceErrorKind.UnsupportedFormat, StatusCode.InvalidArgument },
        { InferenceErrorKind.NotFound, StatusCode.NotFound },
        { InferenceErrorKind.Unavailable, StatusCode.Unavailable },
        { InferenceErrorKind.QueueFull, StatusCode.ResourceExhausted },
        { InferenceErrorKind.RateLimited, StatusCode.ResourceExhausted },
        { InferenceErrorKind.DeadlineExceeded, StatusCode.DeadlineExceeded },
        { InferenceErrorKind.Cancelled, StatusCode.Cancelled },
        { InferenceErrorKind.Unauthenticated, StatusCode.Unauthenticated },
        { InferenceErrorKind.Forbidden, StatusCode.PermissionDenied },
    };

    [Theory]
    [MemberData(nameof(Codes))]
    public void EachKind_MapsToItsStatusCode(InferenceErrorKind kind, StatusCode code) => Assert.Equal(code, GrpcErrorMap.StatusOf(kind));

    [Fact]
    public void EveryKind_IsInTheTable()
    {
        foreach (var kind in Enum.GetValues<InferenceErrorKind>())
        {
            Assert.Contains(Codes, row => (InferenceErrorKind)row[0] == kind);
            Assert.NotEqual(StatusCode.Unknown, GrpcErrorMap.StatusOf(kind));
        }
    }

    [Fact]
    public void RetryHint_BecomesThePushbackTrailer_AndTheMessageNamesTheField()
    {
        var full = GrpcErrorMap.ToException(InferenceError.Retryable(InferenceErrorKind.QueueFull, "the queue is full", 2));
        Assert.Equal(StatusCode.ResourceExhausted, full.StatusCode);
        Assert.Equal("2000", full.Trailers.GetValue(GrpcErrorMap.RetryPushbackTrailer));

        var invalid = GrpcErrorMap.ToException(InferenceError.Invalid("inputs[0].shape", "dimension 1 must be 2"));
        Assert.Equal("inputs[0].shape: dimension 1 must be 2", invalid.Status.Detail);
        Assert.Null(invalid.Trailers.GetValue(GrpcErrorMap.RetryPushbackTrailer));
    }
}
