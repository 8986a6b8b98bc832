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

    /// <summary>Names for versions (<c>"stable": 1, "canary": 2</c>), usable wherever a version number is.</summary>
    public Dictionary<string, long>? Aliases { get; init; }

    /// <summary>How requests that name no version are spread over the versions (docs/ROLLOUT.md).</summary>
    public TrafficConfig? Traffic { get; init; }
}

/// <summary>A model's traffic policy: weighted split, sticky assignment, shadow copies.</summary>
public sealed class TrafficConfig
{
    /// <summary>Reads the JSON of a <c>traffic</c> object (as in config.json); unknown members are an error.</summary>
    /// <exception cref="JsonException">Not a valid traffic object.</exception>
    public static TrafficConfig Parse(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, ModelConfigJsonContext.Default.TrafficConfig) ?? throw new JsonException("the traffic policy is null");

    /// <summary>Weight per version number or alias; versions that are not ready get none of it.</summary>
    public Dictionary<string, double>? Split { get; init; }

    /// <summary>Requests with the same value of this header always get the same version (while the weights stand).</summary>
    public string? StickyHeader { get; init; }

    public ShadowConfig? Shadow { get; init; }
}

/// <summary>Mirrored copies of a share of the requests to another version; their answers are compared, never returned.</summary>
public sealed class ShadowConfig
{
    /// <summary>Version number or alias.</summary>
    public string? Version { get; init; }

    /// <summary>Share of requests copied, 0–100.</summary>
    public double Percent { get; init; }
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
