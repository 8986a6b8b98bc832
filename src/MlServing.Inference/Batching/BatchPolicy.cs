using MlServing.Inference.Repository;

namespace MlServing.Inference.Batching;

/// <summary>The batcher settings one model version runs with: server defaults, overridden by its config.json.</summary>
public sealed record BatchPolicy(bool Merge, int MaxBatchSize, TimeSpan MaxQueueDelay, int[] PreferredBatchSizes, int MaxQueueSize, int Instances)
{
    public static BatchPolicy Resolve(BatchingOptions defaults, ModelConfig config, bool batchable)
    {
        var maxBatchSize = config.MaxBatchSize ?? defaults.MaxBatchSize;
        var enabled = config.Batching?.Enabled ?? defaults.Enabled;
        return new BatchPolicy(
            Merge: batchable && enabled && maxBatchSize > 1,
            MaxBatchSize: Math.Max(1, maxBatchSize),
            MaxQueueDelay: TimeSpan.FromMicroseconds(config.Batching?.MaxQueueDelayMicroseconds ?? defaults.MaxQueueDelayMicroseconds),
            PreferredBatchSizes: config.Batching?.PreferredBatchSizes ?? defaults.PreferredBatchSizes,
            MaxQueueSize: config.Batching?.MaxQueueSize ?? defaults.MaxQueueSize,
            Instances: config.Batching?.Instances ?? defaults.Instances);
    }

    public bool IsPreferred(int rows) => rows >= MaxBatchSize || Array.IndexOf(PreferredBatchSizes, rows) >= 0;
}
