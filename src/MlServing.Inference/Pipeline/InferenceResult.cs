using MlServing.Inference.Errors;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Pipeline;

/// <summary>Outputs (in the order requested) or a typed failure. Owns the output tensors.</summary>
public sealed class InferenceResult : IDisposable
{
    private InferenceResult(PooledTensor[] outputs, InferenceError? error)
    {
        Outputs = outputs;
        Error = error;
    }

    public PooledTensor[] Outputs { get; }

    public InferenceError? Error { get; }

    public bool IsSuccess => Error is null;

    public static InferenceResult Success(PooledTensor[] outputs) => new(outputs, null);

    public static InferenceResult Failure(InferenceError error) => new([], error);

    public static InferenceResult Failure(InferenceErrorKind kind, string message) => new([], InferenceError.Of(kind, message));

    public void Dispose()
    {
        foreach (var output in Outputs)
        {
            output.Dispose();
        }
    }
}
