using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlServing.Inference.Redis;

namespace MlServing.Inference.Caching;

/// <summary>
/// The configured store (docs/BATCHING_AND_CACHING.md): Redis when <c>ConnectionStrings:Redis</c> is set (or Provider=redis),
/// in-process memory by default, or none. Model versions wrap their pipeline with it on load.
/// </summary>
public sealed class PredictionCache
{
    public PredictionCache(IOptions<CacheOptions> options, RedisConnection redis, TimeProvider time, ILoggerFactory loggers)
    {
        Options = options.Value;
        var provider = string.IsNullOrEmpty(Options.Provider)
            ? redis.IsConfigured ? "redis" : "memory"
            : Options.Provider;
        Store = provider switch
        {
            "none" => null,
            "redis" => new RedisPredictionStore(
                redis.IsConfigured ? redis : throw new OptionsValidationException(nameof(CacheOptions), typeof(CacheOptions), ["MlServing:Cache:Provider is redis but ConnectionStrings:Redis is not set."]),
                options,
                time,
                loggers.CreateLogger<RedisPredictionStore>()),
            _ => new MemoryPredictionStore(options, time),
        };
    }

    public CacheOptions Options { get; }

    /// <summary>Null when caching is off (Provider=none).</summary>
    public IPredictionStore? Store { get; }

    public CacheHealth Health => Store?.Health ?? new CacheHealth("none", "off", null);
}
