namespace MlServing.Inference.Batching;

/// <summary>
/// Configuration section <c>MlServing:Batching</c>: server-wide batcher defaults. A model's config.json
/// (<c>maxBatchSize</c>, <c>batching</c>) overrides them for that model.
/// </summary>
public sealed class BatchingOptions
{
    public const string SectionName = "MlServing:Batching";

    /// <summary>Merge concurrent requests of batchable models. False: one request per session call.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Rows per executed batch.</summary>
    public int MaxBatchSize { get; set; } = 64;

    /// <summary>
    /// How long the oldest queued request may wait for more to join its batch. 0 (default): run whatever is
    /// queued as soon as a runner is free, so batches form under load and idle latency stays minimal.
    /// </summary>
    public int MaxQueueDelayMicroseconds { get; set; }

    /// <summary>Batch sizes worth running at once, without waiting out the delay.</summary>
    public int[] PreferredBatchSizes { get; set; } = [];

    /// <summary>Rows that may wait per model version; beyond it requests get 429 at once.</summary>
    public int MaxQueueSize { get; set; } = 4096;

    /// <summary>Concurrent session runners per model version.</summary>
    public int Instances { get; set; } = 1;
}
