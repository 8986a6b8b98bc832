using System.Text.Json;

namespace MlServing.Client.OpenInference;

/// <summary>The body of <c>POST /v2/models/{name}[/versions/{version}]/infer</c>.</summary>
public sealed class InferRequest
{
    public string? Id { get; init; }

    public Dictionary<string, JsonElement>? Parameters { get; init; }

    public required IReadOnlyList<InferTensor> Inputs { get; init; }

    /// <summary>The outputs wanted, in order; null = every output.</summary>
    public IReadOnlyList<RequestedOutput>? Outputs { get; init; }
}
