namespace MlServing.Inference.Repository;

public enum ModelLookupStatus
{
    Found,
    ModelNotFound,
    VersionNotFound,
    NotReady,
}

/// <summary>The outcome of resolving a model name and optional version from a request.</summary>
public readonly record struct ModelLookup(ModelLookupStatus Status, ModelVersion? Model, string? Message)
{
    public static ModelLookup Found(ModelVersion model) => new(ModelLookupStatus.Found, model, null);
}
