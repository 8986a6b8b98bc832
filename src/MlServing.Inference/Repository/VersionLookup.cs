using MlServing.Inference.Errors;

namespace MlServing.Inference.Repository;

/// <summary>The version a request resolved to, or why there is none (not found, not ready).</summary>
public readonly record struct VersionLookup(ModelVersion? Version, InferenceError? Error)
{
    public static VersionLookup Found(ModelVersion version) => new(version, null);

    public static VersionLookup Failed(InferenceError error) => new(null, error);
}
