using System.Net;
using Grpc.Core;

namespace MlServing.Client;

/// <summary>The server answered with an error status; <see cref="Exception.Message"/> is its reason.</summary>
public sealed class MlServingClientException : Exception
{
    public MlServingClientException(HttpStatusCode statusCode, string message)
        : base(message) => StatusCode = statusCode;

    public MlServingClientException(HttpStatusCode statusCode, StatusCode grpcStatus, string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        GrpcStatus = grpcStatus;
    }

    public MlServingClientException()
    {
    }

    public MlServingClientException(string message)
        : base(message)
    {
    }

    public MlServingClientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status; over gRPC, the status the REST API answers for the same failure (RESOURCE_EXHAUSTED → 429, …).</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The gRPC status when the call went over gRPC.</summary>
    public StatusCode? GrpcStatus { get; }
}
