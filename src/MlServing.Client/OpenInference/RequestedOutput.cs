using System.Text.Json;

namespace MlServing.Client.OpenInference;

/// <summary>An output an infer request asks for.</summary>
public sealed class RequestedOutput
{
    public required string Name { get; init; }

    public Dictionary<string, JsonElement>? Parameters { get; init; }
}
