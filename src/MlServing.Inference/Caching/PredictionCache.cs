using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MlServing.Inference.Caching;

/// <summary>
/// The configured store (docs/BATCHING_AND_CACHING.md): Redis when <c>ConnectionStrings:Redis</c> is set (or Provider=redis),
/// in-process memory by default, or none. Model versions wrap their pipeline with it on load.
/// </summary>
public sealed class PredictionCache : IAsyncDisposable
{
    public PredictionCache(IOptions<CacheOptions> options, IConfiguration configuration, TimeProvider time, ILoggerFactory loggers)
    {
        Options = options.Value;
        var connectionString = configuration.GetConnectionString("Redis");
        var provider = string.IsNullOrEmpty(Options.Provider)
            ? string.IsNullOrEmpty(connectionString) ? "memory" : "redis"
            : Options.Provider;
        Store = provider switch
        {
            "none" => null,
            "redis" => new RedisPredictionStore(
                string.IsNullOrEmpty(connectionString) ? throw new OptionsValidationException(nameof(CacheOptions), typeof(CacheOptions), ["MlServing:Cache:Provider is redis but ConnectionStrings:Redis is not set."]) : connectionString,
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

    public async ValueTask DisposeAsync()
    {
        if (Store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }
    }
}
