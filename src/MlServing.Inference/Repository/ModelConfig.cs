using System.Text.Json;

namespace MlServing.Inference.Repository;

/// <summary>The optional <c>&lt;repo&gt;/&lt;model&gt;/config.json</c> (docs/MODEL_REPOSITORY.md). Every field is optional.</summary>
public sealed class ModelConfig
{
    public static readonly ModelConfig Empty = new();

    /// <summary>Rows per executed batch; 0 turns batching off. Null = the server default.</summary>
    public int? MaxBatchSize { get; init; }

    public BatchingConfig? Batching { get; init; }

    public VersionPolicyConfig? VersionPolicy { get; init; }

    /// <summary>"cpu" or "cuda"; null = the server default.</summary>
    public string? ExecutionProvider { get; init; }

    public int? DeviceId { get; init; }

    public bool? RequireGpu { get; init; }

    /// <summary>Column names of the single 2-D input, in order.</summary>
    public string[]? Features { get; init; }

    /// <summary>Class names by index, for classifier outputs.</summary>
    public string[]? Labels { get; init; }

    public CacheConfig? Cache { get; init; }

    public WarmupConfig? Warmup { get; init; }

    /// <summary>Features (or inputs) written as null in captured requests (docs/MONITORING.md).</summary>
    public string[]? Redact { get; init; }

    /// <summary>The accuracy under which the <c>MlServingAccuracyBelowFloor</c> alert fires; overrides <c>MlServing:Monitoring:AccuracyFloor</c>.</summary>
    public double? AccuracyFloor { get; init; }

    /// <summary>Accept NaN and ±Infinity in floating-point inputs (sent as the strings "NaN", "Infinity", "-Infinity").</summary>
    public bool AllowNonFinite { get; init; }
}

public sealed class BatchingConfig
{
    public bool? Enabled { get; init; }

    public int? MaxQueueDelayMicroseconds { get; init; }

    public int[]? PreferredBatchSizes { get; init; }

    public int? MaxQueueSize { get; init; }

    /// <summary>Concurrent session runners for this model's versions.</summary>
    public int? Instances { get; init; }
}

public sealed class VersionPolicyConfig
{
    public int? Latest { get; init; }

    public bool? All { get; init; }

    public long[]? Specific { get; init; }
}

public sealed class CacheConfig
{
    public bool? Enabled { get; init; }

    public int? TtlSeconds { get; init; }
}

public sealed class WarmupConfig
{
    public WarmupTensor[]? Inputs { get; init; }
}

/// <summary>A warm-up input in Open Inference Protocol tensor form.</summary>
public sealed class WarmupTensor
{
    public string? Name { get; init; }

    public string? Datatype { get; init; }

    public long[]? Shape { get; init; }

    public JsonElement Data { get; init; }
}
