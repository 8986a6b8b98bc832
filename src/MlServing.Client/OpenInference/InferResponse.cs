using System.Text.Json.Serialization;

namespace MlServing.Client.OpenInference;

/// <summary>The answer of an infer request: the version that answered and its outputs.</summary>
public sealed class InferResponse
{
    [JsonPropertyName("model_name")]
    public string ModelName { get; init; } = string.Empty;

    [JsonPropertyName("model_version")]
    public string? ModelVersion { get; init; }

    public string? Id { get; init; }

    public IReadOnlyList<InferTensor> Outputs { get; init; } = [];

    /// <summary>The output named <paramref name="name"/>.</summary>
    public InferTensor Output(string name)
    {
        foreach (var output in Outputs)
        {
            if (output.Name == name)
            {
                return output;
            }
        }

        throw new KeyNotFoundException($"the response has no output '{name}'");
    }
}
