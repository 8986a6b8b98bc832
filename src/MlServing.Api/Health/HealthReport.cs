using MlServing.Inference.Caching;

namespace MlServing.Api.Health;

/// <summary>Body of <c>/health/live</c> and <c>/health/ready</c>. Kubernetes reads only the status code.</summary>
public sealed record HealthReport(string Status, string? Reason, ModelHealth[]? Models, CacheHealth? Cache = null);

/// <summary>A model's state in the readiness body.</summary>
public sealed record ModelHealth(string Name, string State, string? Reason, VersionHealth[] Versions);

/// <summary>A version's state in the readiness body.</summary>
public sealed record VersionHealth(long Version, string State, string? Reason);
