namespace MlServing.Inference.Serving;

/// <summary>Which part of a request input a signature error is about.</summary>
public enum InputPart
{
    Name,
    Datatype,
    Shape,
    Data,
}
