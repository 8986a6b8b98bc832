namespace MlServing.Inference.Caching;

/// <summary>A cache entry's identity: the model version it belongs to and a 128-bit hash of the canonical input.</summary>
public readonly record struct CacheKey(string Scope, UInt128 Hash)
{
    public override string ToString() => $"{Scope}:{Hash:x32}";
}
