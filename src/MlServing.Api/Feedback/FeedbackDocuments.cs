using System.Text.Json;

namespace MlServing.Api.Feedback;

/// <summary>The feedback body as OpenAPI documents it (the endpoint parses it itself): <c>labels</c> or <c>values</c>, one per row.</summary>
public sealed record FeedbackRequestDocument(string Id, JsonElement[]? Labels, double[]? Values);

/// <summary>202: the truth of <see cref="Rows"/> rows was joined to the prediction of request <see cref="Id"/>.</summary>
public sealed record FeedbackResponse(string Id, int Rows);
