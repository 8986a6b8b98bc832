using MlServing.Inference.Tensors;

namespace MlServing.Inference.Pipeline;

/// <summary>Outputs (in the order requested) or a typed failure. Owns the output buffers.</summary>
public sealed class InferenceResult : IDisposable
{
    private InferenceResult(InferenceStatus status, PooledTensor[] outputs, string? error)
    {
        Status = status;
        Outputs = outputs;
        Error = error;
    }

    public InferenceStatus Status { get; }

    public PooledTensor[] Outputs { get; }

    public string? Error { get; }

    public bool IsSuccess => Status == InferenceStatus.Success;

    public static InferenceResult Success(PooledTensor[] outputs) => new(InferenceStatus.Success, outputs, null);

    public static InferenceResult Failure(InferenceStatus status, string error) => new(status, [], error);

    public void Dispose()
    {
        foreach (var output in Outputs)
        {
            output.Dispose();
        }
    }
}
