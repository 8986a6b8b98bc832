using System.ComponentModel.DataAnnotations;

namespace MlServing.Inference.Serving;

/// <summary>Configuration section <c>MlServing:Limits</c>, the engine's part: rows per request (over it: 413).</summary>
public sealed class InferenceLimitsOptions
{
    public const string SectionName = "MlServing:Limits";

    [Range(1, 1_000_000)]
    public int MaxRowsPerRequest { get; set; } = 4096;
}
