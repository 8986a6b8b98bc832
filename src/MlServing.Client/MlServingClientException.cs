using System.Net;

namespace MlServing.Client;

/// <summary>The server answered with an error status; <see cref="Exception.Message"/> is its reason.</summary>
public sealed class MlServingClientException : Exception
{
    public MlServingClientException(HttpStatusCode statusCode, string message)
        : base(message) => StatusCode = statusCode;

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

    public HttpStatusCode StatusCode { get; }
}
