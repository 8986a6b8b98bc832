namespace MlServing.Inference.Repository;

/// <summary>State of a model or version, as the repository index reports it (Triton's names).</summary>
public enum ModelState
{
    Loading,
    Ready,
    Unavailable,
}
