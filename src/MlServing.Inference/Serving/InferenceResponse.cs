using MlServing.Inference.Errors;
using MlServing.Inference.Repository;
using MlServing.Inference.Tensors;

namespace MlServing.Inference.Serving;

/// <summary>The outputs a model version answered (in the order requested), or the error. Owns the output tensors.</summary>
public sealed class InferenceResponse : IDisposable
{
    private InferenceResponse(ModelVersion? model, PooledTensor[] outputs, InferenceError? error)
    {
        Model = model;
        Outputs = outputs;
        Error = error;
    }

    /// <summary>The version that answered; null when the request never reached one.</summary>
    public ModelVersion? Model { get; }

    public PooledTensor[] Outputs { get; }

    public InferenceError? Error { get; }

    public bool IsSuccess => Error is null;

    internal static InferenceResponse Success(ModelVersion model, PooledTensor[] outputs) => new(model, outputs, null);

    internal static InferenceResponse Failure(ModelVersion? model, InferenceError error) => new(model, [], error);

    public void Dispose()
    {
        foreach (var output in Outputs)
        {
            output.Dispose();
        }
    }
}
