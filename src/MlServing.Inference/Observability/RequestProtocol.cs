namespace MlServing.Inference.Observability;

/// <summary>Value of the <c>protocol</c> label.</summary>
public enum RequestProtocol
{
    Predict,
    V2,
}
