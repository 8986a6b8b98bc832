namespace MlServing.Inference.Monitoring;

/// <summary>
/// One feature's reference distribution: k ascending cut points make k+1 bins <c>(-inf, e0], (e0, e1], …, (e_k-1, +inf)</c>
/// (a value equal to an edge falls in the bin that edge closes); <see cref="Fractions"/> is the share of reference rows
/// per bin (k+1 values summing to 1).
/// </summary>
public sealed class FeatureProfile
{
    /// <summary>The column name (config.json <c>features</c>), or its index as text ("0", "1", …).</summary>
    public string Name { get; init; } = string.Empty;

    public double[] Edges { get; init; } = [];

    public double[] Fractions { get; init; } = [];
}
