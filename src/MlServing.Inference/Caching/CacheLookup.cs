namespace MlServing.Inference.Caching;

/// <summary>Values found per key (null = miss); <see cref="Failed"/> when the store could not answer (all misses).</summary>
public readonly record struct CacheLookup(byte[]?[] Values, bool Failed);
