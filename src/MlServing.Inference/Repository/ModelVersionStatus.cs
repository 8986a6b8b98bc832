namespace MlServing.Inference.Repository;

/// <summary>
/// One version folder's state; <see cref="Loaded"/> is set only when <see cref="State"/> is Ready. The
/// <see cref="Fingerprint"/> of its files decides whether a later load can keep this version as it is.
/// </summary>
public sealed record ModelVersionStatus(long Version, ModelState State, string? Reason, ModelVersion? Loaded, string Fingerprint = "");
