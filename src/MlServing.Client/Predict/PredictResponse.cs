using System.Text.Json.Nodes;

namespace MlServing.Client.Predict;

/// <summary>The answer of <c>POST /predict</c>: one prediction object per row, keyed by output name.</summary>
public sealed class PredictResponse
{
    public string Model { get; init; } = string.Empty;

    public string Version { get; init; } = string.Empty;

    public JsonArray Predictions { get; init; } = [];
}
