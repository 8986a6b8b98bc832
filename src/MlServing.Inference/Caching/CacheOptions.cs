namespace MlServing.Inference.Caching;

/// <summary>Configuration section <c>MlServing:Cache</c>; a model's config.json <c>cache</c> overrides enabled/ttl.</summary>
public sealed class CacheOptions
{
    public const string SectionName = "MlServing:Cache";

    /// <summary>"memory", "redis" or "none"; unset = redis when <c>ConnectionStrings:Redis</c> is set, else memory.</summary>
    public string? Provider { get; set; }

    public int TtlSeconds { get; set; } = 3600;

    /// <summary>In-process store bound: entries.</summary>
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>In-process store bound: bytes of cached values.</summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Prefix of every Redis key, so several deployments can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "mlserving:";

    /// <summary>Most a Redis lookup may add to a request before it counts as a miss.</summary>
    public int TimeoutMilliseconds { get; set; } = 5;

    /// <summary>Consecutive Redis failures that open the circuit (lookups skipped, predictions from the model).</summary>
    public int FailuresBeforeOpen { get; set; } = 5;

    /// <summary>How long an open circuit waits before one probe lookup is tried.</summary>
    public int OpenSeconds { get; set; } = 10;

    /// <summary>At most one cache error log line per this interval.</summary>
    public int ErrorLogIntervalSeconds { get; set; } = 30;
}
