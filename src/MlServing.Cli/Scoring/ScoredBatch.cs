using MlServing.Cli.Tables;
using MlServing.Inference.Tensors;

namespace MlServing.Cli.Scoring;

/// <summary>A batch of input rows with the model's outputs for them; owns both.</summary>
internal sealed class ScoredBatch : IDisposable
{
    public ScoredBatch(RowBatch batch, PooledTensor[] outputs)
    {
        Batch = batch;
        Outputs = outputs;
    }

    public RowBatch Batch { get; }

    public PooledTensor[] Outputs { get; }

    public void Dispose()
    {
        Batch.Dispose();
        foreach (var output in Outputs)
        {
            output.Dispose();
        }
    }
}
