using MlServing.Inference.Tensors;

namespace MlServing.Inference.Pipeline;

/// <summary>Decoded inputs for one model version, in its signature order. Owns the input buffers.</summary>
public sealed class InferenceRequest : IDisposable
{
    public InferenceRequest(PooledTensor[] inputs, int[] outputIndices, int rows)
    {
        Inputs = inputs;
        OutputIndices = outputIndices;
        Rows = rows;
    }

    public PooledTensor[] Inputs { get; }

    /// <summary>Which outputs to compute, as indices into the signature's outputs.</summary>
    public int[] OutputIndices { get; }

    /// <summary>Rows along dim 0 (1 for non-batchable models).</summary>
    public int Rows { get; }

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp after which queued work is abandoned; 0 = none.</summary>
    public long DeadlineTimestamp { get; set; }

    /// <summary>Skip the prediction cache for this request (header <c>Cache-Control: no-cache</c>).</summary>
    public bool BypassCache { get; set; }

    /// <summary>False for a view over another request's inputs: disposing it leaves them alone.</summary>
    public bool OwnsInputs { get; init; } = true;

    public void Dispose()
    {
        if (!OwnsInputs)
        {
            return;
        }

        foreach (var input in Inputs)
        {
            input?.Dispose();
        }
    }
}
