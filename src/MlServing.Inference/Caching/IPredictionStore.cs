namespace MlServing.Inference.Caching;

/// <summary>Where encoded predictions live. Implementations never throw: a failure is a miss (fail open).</summary>
public interface IPredictionStore
{
    string Provider { get; }

    CacheHealth Health { get; }

    ValueTask<CacheLookup> GetAsync(CacheKey[] keys, CancellationToken cancellationToken);

    /// <summary>Stores values without waiting for the store to acknowledge them.</summary>
    void Set(ReadOnlySpan<CacheKey> keys, ReadOnlySpan<byte[]> values, TimeSpan ttl);
}
