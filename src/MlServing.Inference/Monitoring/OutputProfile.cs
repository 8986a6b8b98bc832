namespace MlServing.Inference.Monitoring;

/// <summary>A classifier output's reference mix: the share of reference rows predicted as each class (by label when configured).</summary>
public sealed class OutputProfile
{
    public string Name { get; init; } = string.Empty;

    public Dictionary<string, double> Classes { get; init; } = [];
}
