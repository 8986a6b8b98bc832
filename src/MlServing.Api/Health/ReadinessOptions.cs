namespace MlServing.Api.Health;

/// <summary>Configuration section <c>MlServing:Readiness</c>.</summary>
public sealed class ReadinessOptions
{
    public const string SectionName = "MlServing:Readiness";

    /// <summary>True (default): not ready while any model failed to load. False: ready with whatever loaded.</summary>
    public bool Strict { get; set; } = true;
}
