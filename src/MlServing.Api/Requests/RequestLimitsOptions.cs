using System.ComponentModel.DataAnnotations;

namespace MlServing.Api.Requests;

/// <summary>Configuration section <c>MlServing:Limits</c>, the HTTP part: request body size (over it: 413).</summary>
public sealed class RequestLimitsOptions
{
    public const string SectionName = "MlServing:Limits";

    [Range(1024, 2L * 1024 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 32 * 1024 * 1024;
}
