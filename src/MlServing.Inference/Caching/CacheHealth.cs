namespace MlServing.Inference.Caching;

/// <summary>What the readiness body says about the cache; a degraded cache never fails readiness.</summary>
public sealed record CacheHealth(string Provider, string Status, string? Reason)
{
    public static CacheHealth Healthy(string provider) => new(provider, "ok", null);
}
