namespace MlServing.Client.OpenInference;

/// <summary>An input or output in model metadata; -1 marks a dynamic dimension.</summary>
public sealed class TensorMetadata
{
    public string Name { get; init; } = string.Empty;

    public string Datatype { get; init; } = string.Empty;

    public long[] Shape { get; init; } = [];
}
