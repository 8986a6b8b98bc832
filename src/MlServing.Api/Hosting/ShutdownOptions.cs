using System.ComponentModel.DataAnnotations;

namespace MlServing.Api.Hosting;

/// <summary>Configuration section <c>MlServing:Shutdown</c>: what happens between SIGTERM and exit.</summary>
public sealed class ShutdownOptions
{
    public const string SectionName = "MlServing:Shutdown";

    /// <summary>
    /// Seconds to keep serving after SIGTERM while readiness already answers 503, so load balancers stop
    /// routing here before the listener closes (Kubernetes needs a few seconds to update endpoints).
    /// </summary>
    [Range(0, 300)]
    public int DrainDelaySeconds { get; set; }

    /// <summary>Upper bound for the whole shutdown: in-flight and queued requests get this long to finish.</summary>
    [Range(1, 3600)]
    public int TimeoutSeconds { get; set; } = 30;
}
