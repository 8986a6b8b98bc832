namespace MlServing.Client.OpenInference;

/// <summary><c>GET /v2/models/{name}[/versions/{version}]</c>: a model version's inputs and outputs.</summary>
public sealed class ModelMetadata
{
    public string Name { get; init; } = string.Empty;

    public IReadOnlyList<string> Versions { get; init; } = [];

    public string? Platform { get; init; }

    public IReadOnlyList<TensorMetadata> Inputs { get; init; } = [];

    public IReadOnlyList<TensorMetadata> Outputs { get; init; } = [];
}
