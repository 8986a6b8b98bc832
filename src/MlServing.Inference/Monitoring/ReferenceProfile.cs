using System.Text.Json;

namespace MlServing.Inference.Monitoring;

/// <summary>
/// A model's reference profile (<c>profile.json</c>, docs/MONITORING.md): the distribution of each feature over the
/// training data as quantile bins, and the share of each predicted class. <c>mlserving profile</c> writes it; the server
/// compares served traffic against it.
/// </summary>
public sealed class ReferenceProfile
{
    public const string FileName = "profile.json";

    /// <summary>Rows of reference data the profile was built from.</summary>
    public long Rows { get; init; }

    public FeatureProfile[] Features { get; init; } = [];

    public OutputProfile[] Outputs { get; init; } = [];

    public static ReferenceProfile Read(Stream stream) =>
        JsonSerializer.Deserialize(stream, ReferenceProfileJsonContext.Default.ReferenceProfile) ?? throw new JsonException("profile.json is empty (null)");

    public void Write(Stream stream) => JsonSerializer.Serialize(stream, this, ReferenceProfileJsonContext.Default.ReferenceProfile);
}
