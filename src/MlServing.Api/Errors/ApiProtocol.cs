namespace MlServing.Api.Errors;

/// <summary>The front end a route belongs to: it decides the error body format and the <c>protocol</c> metric label.</summary>
public enum ApiProtocol
{
    /// <summary><c>POST /predict</c>: RFC 7807 problem+json errors.</summary>
    Predict,

    /// <summary>The Open Inference Protocol v2 REST API: <c>{"error": "..."}</c> errors.</summary>
    V2,

    /// <summary>The Open Inference Protocol over gRPC: a status code and message in a trailers-only response.</summary>
    Grpc,
}
