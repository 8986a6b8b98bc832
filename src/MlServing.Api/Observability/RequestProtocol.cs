namespace MlServing.Api.Observability;

/// <summary>Value of the <c>protocol</c> label of the request metrics.</summary>
public enum RequestProtocol
{
    Predict,
    V2,
    Grpc,
}
