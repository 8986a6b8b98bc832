using System.ComponentModel.DataAnnotations;

namespace MlServing.Api.Hosting;

/// <summary>Configuration section <c>MlServing:Serving</c>.</summary>
public sealed class ServingOptions
{
    public const string SectionName = "MlServing:Serving";

    /// <summary>Status for a full queue: 429 (default) or 503 for meshes that retry on it.</summary>
    [AllowedValues(429, 503)]
    public int QueueFullStatusCode { get; set; } = StatusCodes.Status429TooManyRequests;
}
