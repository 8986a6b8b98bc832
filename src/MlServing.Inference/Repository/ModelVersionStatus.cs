namespace MlServing.Inference.Repository;

/// <summary>One version folder's state; <see cref="Loaded"/> is set only when <see cref="State"/> is Ready.</summary>
public sealed record ModelVersionStatus(long Version, ModelState State, string? Reason, ModelVersion? Loaded);
