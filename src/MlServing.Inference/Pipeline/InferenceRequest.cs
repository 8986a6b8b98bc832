using MlServing.Inference.Tensors;

namespace MlServing.Inference.Pipeline;

/// <summary>Validated inputs for one model version, in its signature order, as the pipeline stages see them. Owns the input buffers.</summary>
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

    /// <summary><see cref="TimeProvider"/> timestamp after which queued work is abandoned; 0 = none.</summary>
    public long DeadlineTimestamp { get; init; }

    /// <summary>Skip the prediction cache for this request.</summary>
    public bool BypassCache { get; init; }

    /// <summary>The request id the front end answered with (docs/MONITORING.md: feedback joins by it); null when there is none.</summary>
    public string? RequestId { get; init; }

    /// <summary>False for a view over another request's inputs: disposing it leaves them alone.</summary>
    public bool OwnsInputs { get; init; } = true;

    /// <summary>A request with other inputs (a subset of rows) and the same deadline and options.</summary>
    public InferenceRequest With(PooledTensor[] inputs, int[] outputIndices, int rows, bool ownsInputs) =>
        new(inputs, outputIndices, rows) { DeadlineTimestamp = DeadlineTimestamp, BypassCache = BypassCache, RequestId = RequestId, OwnsInputs = ownsInputs };

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
