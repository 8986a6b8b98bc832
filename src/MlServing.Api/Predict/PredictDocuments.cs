using System.Text.Json;

namespace MlServing.Api.Predict;

/// <summary>The <c>/predict</c> request as OpenAPI documents it (the endpoint parses the body itself).</summary>
/// <param name="Model">Model name; may be omitted when exactly one model is served.</param>
/// <param name="Version">Version; default = newest ready version.</param>
/// <param name="Instances">Rows: arrays of values in column order, or objects keyed by feature name.</param>
/// <param name="Inputs">For multi-input models: input name → batch-first nested array.</param>
public sealed record PredictRequestDocument(string? Model, string? Version, JsonElement[]? Instances, Dictionary<string, JsonElement>? Inputs);

/// <summary>The <c>/predict</c> response.</summary>
/// <param name="Model">Model that answered.</param>
/// <param name="Version">Version that answered.</param>
/// <param name="Predictions">One object per row, keyed by output name.</param>
public sealed record PredictResponseDocument(string Model, string Version, Dictionary<string, JsonElement>[] Predictions);
