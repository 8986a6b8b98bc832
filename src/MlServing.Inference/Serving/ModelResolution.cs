using MlServing.Inference.Errors;

namespace MlServing.Inference.Serving;

/// <summary>A leased model version, or why the request cannot have one.</summary>
public readonly record struct ModelResolution(ModelLease? Lease, InferenceError? Error);
