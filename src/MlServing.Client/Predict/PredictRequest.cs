using System.Text.Json.Nodes;

namespace MlServing.Client.Predict;

/// <summary>
/// The body of <c>POST /predict</c>: <see cref="Instances"/> (rows as arrays in column order, or objects keyed by
/// feature name) or, for multi-input models, <see cref="Inputs"/> (input name → batch-first nested array).
/// </summary>
public sealed class PredictRequest
{
    /// <summary>May be null when the server serves one model.</summary>
    public string? Model { get; init; }

    public string? Version { get; init; }

    public JsonArray? Instances { get; init; }

    public JsonObject? Inputs { get; init; }
}
